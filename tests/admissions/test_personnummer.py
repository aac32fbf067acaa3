"""Personnummer and samordningsnummer: validation, normal form and masking."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from admissions.applications import personnummer
from admissions.applications.models import validate_personnummer

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("811218-9876", "198112189876"),
        ("8112189876", "198112189876"),
        ("19811218-9876", "198112189876"),
        ("198112189876", "198112189876"),
        (" 811218 - 9876 ", "198112189876"),
    ],
)
def test_a_valid_number_is_stored_as_twelve_digits_whatever_way_it_is_written(written, stored):
    assert personnummer.normalize(written, today=TODAY) == stored


def test_a_plus_sign_marks_someone_a_hundred_or_older():
    born_1925 = personnummer.build(dt.date(1925, 3, 1), 123)

    assert personnummer.normalize(f"{born_1925[2:8]}+{born_1925[8:]}", today=TODAY) == born_1925
    # The same digits with "-" are a child born in 2025.
    assert personnummer.normalize(f"{born_1925[2:8]}-{born_1925[8:]}", today=TODAY) == (
        "20" + born_1925[2:]
    )


def test_without_a_century_someone_born_later_this_century_is_taken_as_last_century():
    assert personnummer.normalize("811218-9876", today=TODAY).startswith("1981")
    born_2005 = personnummer.build(dt.date(2005, 6, 30), 456)
    assert personnummer.normalize(born_2005[2:], today=TODAY) == born_2005


def test_a_wrong_check_digit_is_refused():
    with pytest.raises(personnummer.PersonnummerError, match="check digit"):
        personnummer.normalize("811218-9875")
    assert not personnummer.is_valid("198112189875")


def test_a_samordningsnummer_has_sixty_added_to_the_day_and_is_valid():
    number = personnummer.build(dt.date(1990, 1, 5), 456, samordning=True)

    assert number[6:8] == "65"
    assert personnummer.is_valid(number)
    assert personnummer.is_samordningsnummer(number)
    assert personnummer.birth_date(number) == dt.date(1990, 1, 5)


def test_a_personnummer_is_not_a_samordningsnummer():
    assert not personnummer.is_samordningsnummer("198112189876")


@pytest.mark.parametrize("impossible", ["19850230", "19851301", "19850100", "19850192"])
def test_an_impossible_date_is_refused_even_with_a_correct_check_digit(impossible):
    first_nine = impossible[2:] + "123"
    number = f"{impossible}123{personnummer.luhn_check_digit(first_nine)}"

    with pytest.raises(personnummer.PersonnummerError, match="does not exist"):
        personnummer.normalize(number)


@pytest.mark.parametrize("junk", ["", "abc", "12345", "19811218-98761", "1981121898-76"])
def test_anything_else_is_refused(junk):
    assert not personnummer.is_valid(junk)


def test_the_check_digit_follows_luhn():
    # The check digit of Skatteverket's example 811218-987(6).
    assert personnummer.luhn_check_digit("811218987") == 6


def test_a_number_is_masked_to_the_date_of_birth():
    assert personnummer.mask("198112189876") == "19811218-****"
    assert personnummer.mask("") == ""


def test_the_model_accepts_twelve_valid_digits_or_nothing():
    validate_personnummer("198112189876")
    validate_personnummer("")
    for bad in ("811218-9876", "198112189875"):
        with pytest.raises(ValidationError):
            validate_personnummer(bad)
