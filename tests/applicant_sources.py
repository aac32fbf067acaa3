"""Which source files speak to applicants: their strings must be translated into every language
of the applicant's side (settings.LANGUAGES); the rest is for staff, in Swedish and English."""

import re

APPLICANT_SOURCES = re.compile(
    r"^("
    r"templates/(base\.html|home\.html|includes/|account/|socialaccount/|allauth/|yrkescenter/(?!region_terms)"
    r"|accounts/start\.html|validation/person/my_validations\.html"
    r"|admissions/(apply/|offers/|letters/(letter\.html|_letter_body\.html|_on_status_page\.html|email/)"
    r"|appeals/(_on_status_page|detail|lodge|_appeal_facts)\.html))"
    r"|admissions/[a-z]+/models\.py"
    r"|admissions/applications/(personnummer|forms/apply|views/apply|services/applications)\.py"
    r"|admissions/appeals/forms\.py"
    r"|admissions/files/(uploads|staging)\.py"
    r"|admissions/rounds/(letters|views/offers)\.py"
    r"|yrkescenter/(views|selectors)\.py"
    r"|accounts/(forms|adapters?|models|builtin_strings)\.py|accounts/eid/|accounts/templatetags/main_menu\.py"
    r")"
)


def is_applicant_facing(occurrences) -> bool:
    """occurrences: (path, line) pairs of a catalogue entry."""
    return any(APPLICANT_SOURCES.match(path) for path, _line in occurrences)
