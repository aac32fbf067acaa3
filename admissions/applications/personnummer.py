"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Pure Python, no Django: parse and validate what a person types, store the twelve-digit form
YYYYMMDDNNNN, and show it masked (19850312-****) wherever the full number is not needed.
A samordningsnummer is a personnummer whose day of birth has 60 added (a person born on the 12th
gets 72); the Luhn check digit works the same for both.
"""

from __future__ import annotations

import datetime as dt
import re

SAMORDNING_OFFSET = 60

# Ten digits (YYMMDD-NNNN, where "+" marks someone a hundred or older) or twelve (YYYYMMDDNNNN).
_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$"
)


class PersonnummerError(ValueError):
    """The value is not a valid personnummer or samordningsnummer. `code` says why ("format",
    "check_digit" or "date"), so callers can show the reason in the reader's language."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for the nine digits YYMMDDNNN."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def normalize(value: str, *, today: dt.date | None = None) -> str:
    """The twelve-digit form YYYYMMDDNNNN of a personnummer or samordningsnummer.

    Accepts the forms people write (with or without century, with "-" or "+", with spaces).
    Without a century, the person is taken to be under a hundred unless the separator is "+",
    counted from `today`.
    """
    compact = "".join(value.split())
    match = _PATTERN.match(compact)
    if match is None:
        raise PersonnummerError(
            "A personnummer has ten or twelve digits, e.g. 19850312-1234.", code="format"
        )
    date_part, serial, check = match["date"], match["serial"], match["check"]
    century = match["century"]
    if century is None:
        century = _infer_century(date_part, hundred_or_older=match["sep"] == "+", today=today)
    elif match["sep"] == "+":
        raise PersonnummerError("Use '+' only with the ten-digit form.", code="format")
    full = f"{century}{date_part}{serial}{check}"
    birth_date(full)
    if luhn_check_digit(full[2:11]) != int(check):
        raise PersonnummerError(
            "The check digit does not match; please check the number.", code="check_digit"
        )
    return full


def is_valid(value: str, *, today: dt.date | None = None) -> bool:
    try:
        normalize(value, today=today)
    except PersonnummerError:
        return False
    return True


def is_samordningsnummer(pnr: str) -> bool:
    return int(pnr[6:8]) > SAMORDNING_OFFSET


def birth_date(pnr: str) -> dt.date:
    """The date of birth in a twelve-digit number (for a samordningsnummer: day minus 60)."""
    year, month, day = int(pnr[0:4]), int(pnr[4:6]), int(pnr[6:8])
    if day > SAMORDNING_OFFSET:
        day -= SAMORDNING_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise PersonnummerError(
            "The date of birth in the number does not exist.", code="date"
        ) from error


def build(born: dt.date, serial: int, *, samordning: bool = False) -> str:
    """A twelve-digit number for a date of birth and a three-digit serial, with its check digit."""
    if not 0 <= serial <= 999:
        raise ValueError("The serial has three digits")
    day = born.day + (SAMORDNING_OFFSET if samordning else 0)
    first = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born:%Y%m}{day:02d}{serial:03d}{luhn_check_digit(first)}"


def mask(pnr: str) -> str:
    """19850312-**** : enough to tell people apart in a list, not enough to identify them."""
    if not pnr:
        return ""
    return f"{pnr[:8]}-****"


def _infer_century(date_part: str, *, hundred_or_older: bool, today: dt.date | None) -> str:
    today = today or dt.date.today()
    two_digit_year = int(date_part[:2])
    year = today.year - (today.year - two_digit_year) % 100
    month, day = int(date_part[2:4]), int(date_part[4:6])
    if day > SAMORDNING_OFFSET:
        day -= SAMORDNING_OFFSET
    try:
        born_this_century = dt.date(year, month, day) > today
    except ValueError as error:
        raise PersonnummerError(
            "The date of birth in the number does not exist.", code="date"
        ) from error
    if born_this_century:
        year -= 100
    if hundred_or_older:
        year -= 100
    return f"{year // 100:02d}"
