"""Django's and allauth's own strings on the applicant's account pages and in allauth's e-mails
(issue 13.2): Somali, Tigrinya and easy-to-read Swedish get the project's translations
(accounts/builtin_strings.py), while Swedish, Arabic, Dari and Ukrainian keep exactly what the
libraries' catalogues rendered before (the project catalogue takes precedence over theirs), but
where a library had only the Swedish fallback."""

import re
import secrets

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from accounts.builtin_strings import ACCOUNT_PAGES, ALLAUTH, PLURALS
from tests.admissions.intake_support import HOST

pytestmark = pytest.mark.django_db

PASSWORD = "Lång-och-ovanlig-fras-42"


def client_in(language):
    # An address of its own, so that allauth's sign-up rate limit (kept in the cache, which may
    # be a shared Redis) never counts another test's or another run's sign-ups.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address)
    client.cookies["django_language"] = language
    return client


def texts(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["sv", "ar", "fa-af", "uk"])
def test_the_libraries_languages_render_what_the_libraries_say(settings, language):
    # The same strings, looked up without the project catalogue: only Django's and allauth's.
    with translation.override(language):
        ours = rendered()
    trans_real._translations = {}
    settings.LOCALE_PATHS = []
    try:
        with translation.override(language):
            theirs = rendered()
        with translation.override("sv"):
            swedish = rendered()
    finally:
        trans_real._translations = {}
    for mine, libraries, fallback in zip(ours, theirs, swedish, strict=True):
        if language != "sv" and libraries == fallback:
            # The library has no text of its own in this language (Django 5.2's new password
            # length message in Arabic and Dari), so it showed Swedish: ours translates it.
            assert mine != fallback, mine
        else:
            assert mine == libraries


def rendered():
    singular = [translation.gettext(msgid) for msgid in ALLAUTH + ACCOUNT_PAGES]
    plural = [
        translation.ngettext(lazy._kw["singular"], lazy._kw["plural"], n)
        for lazy in PLURALS
        for n in (0, 1, 2, 3, 10, 11, 100)
    ]
    return singular + plural


@pytest.mark.parametrize("language", ["so", "ti", "sv-ll"])
def test_somali_tigrinya_and_easy_swedish_have_their_own(language):
    msgids = ALLAUTH + ACCOUNT_PAGES
    with translation.override("sv"):
        swedish = {msgid: translation.gettext(msgid) for msgid in msgids}
    with translation.override(language):
        same = [m for m in msgids if translation.gettext(m) == swedish[m] and m != swedish[m]]
    # Easy-to-read Swedish may keep a plain Swedish sentence ("Du har loggat ut."), not all.
    if language == "sv-ll":
        assert len(same) < len(msgids) / 2
    else:
        assert same == []


def test_the_swedish_login_and_signup_labels_are_unchanged(region):
    client = client_in("sv")
    login = texts(client.get(reverse("account_login")).content.decode())
    signup = client.get(reverse("account_signup")).content.decode()
    for label in ("Logga in", "E-post", "Lösenord"):
        assert label in login
    for label in ("E-postadress", "Lösenord (igen)"):
        assert label in signup


def test_the_somali_signup_page_is_somali(region):
    page = client_in("so").get(reverse("account_signup")).content.decode()
    assert '<html lang="so"' in page
    for swedish in ("E-postadress", "Lösenord (igen)", "Skapa konto"):
        assert swedish not in page


def test_the_somali_confirmation_email_is_somali(region):
    client = client_in("so")
    client.post(
        reverse("account_signup"),
        {
            "email": f"ayaan-{secrets.token_hex(4)}@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    message = mail.outbox[-1]
    assert "Fadlan xaqiiji cinwaanka iimaylkaaga" in message.subject
    assert "Salaan ka timid" in message.body
    assert "Hej från" not in message.body


def test_the_swedish_confirmation_email_is_as_before(region):
    client_in("sv").post(
        reverse("account_signup"),
        {
            "email": f"anna-{secrets.token_hex(4)}@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    message = mail.outbox[-1]
    assert "Vänligen bekräfta din epost-adress" in message.subject
    assert "Hej från" in message.body
