"""Cells of every spreadsheet the project writes (CSV and XLSX exports of admissions and, from a
later layer, industriradet): text is made inert before it reaches a cell.

Excel and LibreOffice read a cell starting with = + - @ (or a tab or carriage return, which
they skip before such a sign) as a formula, and openpyxl stores such a string as a formula in
an XLSX file: a name typed by an applicant could then run a formula on an officer's machine
(CSV injection). A leading apostrophe makes the spreadsheet show the text as text.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The text, inert in a spreadsheet."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable) -> list:
    """A row of cells with every text cell made inert; numbers, dates and None stay as they
    are (a negative amount is a number, not text)."""
    return [spreadsheet_safe(value) if isinstance(value, str) else value for value in values]
