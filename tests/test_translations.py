"""Swedish first, English complete: every project string has a Swedish translation, and the
committed .mo files (there is no build step) are the compiled form of the .po files beside them."""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import need_service

LOCALE = Path(__file__).resolve().parents[1] / "locale"
SWEDISH = LOCALE / "sv" / "LC_MESSAGES" / "django.po"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [v for k, v in self.fields.items() if k.startswith("msgstr")]


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader, enough for what makemessages writes; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is None or "msgid" in entry.fields:
                entry = Entry(number)
                entries.append(entry)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            entry.fields[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        if key in {"msgctxt", "msgid"} and (entry is None or "msgid" in entry.fields):
            entry = Entry(number)
            entries.append(entry)
        entry.fields[key] = ast.literal_eval(value)
    return entries


def test_the_swedish_catalog_exists_and_has_messages():
    messages = [e for e in parse_po(SWEDISH) if e.msgid]
    assert len(messages) > 50


def test_the_swedish_header_is_not_fuzzy():
    # msgfmt ignores a fuzzy header, and with it the plural rule.
    header = next(e for e in parse_po(SWEDISH) if not e.msgid)
    assert "fuzzy" not in header.flags
    assert "Language: sv\n" in header.fields["msgstr"]


def test_every_swedish_message_is_translated_and_not_fuzzy():
    problems = [
        f"line {e.line}: {e.msgid!r}" + (" (fuzzy)" if "fuzzy" in e.flags else " (empty)")
        for e in parse_po(SWEDISH)
        if e.msgid and ("fuzzy" in e.flags or not all(e.translations))
    ]
    assert problems == [], "Untranslated in locale/sv:\n" + "\n".join(problems)


def test_swedish_translations_keep_the_placeholders():
    def names(text):
        return set(PLACEHOLDER.findall(text))

    problems = []
    for e in parse_po(SWEDISH):
        expected = names(e.msgid + e.fields.get("msgid_plural", ""))
        for translation in e.translations:
            if translation and names(translation) != expected:
                problems.append(f"line {e.line}: {e.msgid!r} -> {translation!r}")
    assert problems == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-3])
def test_the_committed_mo_is_the_compiled_po(po, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        need_service("msgfmt is missing: apt-get install gettext")
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run manage.py compilemessages --ignore=.venv"
    fresh = tmp_path / "django.mo"
    # The same call as Django's compilemessages.
    subprocess.run([msgfmt, "--check-format", "-o", fresh, po], check=True)

    def catalog(path):
        with path.open("rb") as handle:
            # _catalog is where GNUTranslations keeps every message; comparing it compares
            # content, not bytes, so msgfmt versions that order or pad differently still agree.
            return gettext.GNUTranslations(handle)._catalog

    assert catalog(mo) == catalog(fresh), (
        f"{mo} is stale: run manage.py compilemessages --ignore=.venv"
    )


# --- the applicant's side in every language of settings.LANGUAGES ---------------------------------


def applicant_catalogs() -> list[Path]:
    from django.conf import settings
    from django.utils.translation import to_locale

    return [
        LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"
        for code, _name in settings.LANGUAGES
        if code != "en"  # the source language: its strings are the msgids
    ]


def occurrences(entry_line: int, lines: list[str]) -> list[tuple[str, str]]:
    """The #: source references just above an entry."""
    found = []
    index = entry_line - 1
    while index >= 0 and lines[index].startswith("#"):
        if lines[index].startswith("#: "):
            found += [tuple(ref.rsplit(":", 1)) for ref in lines[index][3:].split()]
        index -= 1
    return found


@pytest.mark.parametrize("po", applicant_catalogs(), ids=lambda p: p.parts[-3])
def test_every_applicant_facing_message_is_translated_and_not_fuzzy(po):
    from tests.applicant_sources import is_applicant_facing

    assert po.exists(), f"{po} is missing: every language of settings.LANGUAGES needs a catalog"
    lines = po.read_text(encoding="utf-8").splitlines()
    problems = []
    for entry in parse_po(po):
        if not entry.msgid or not is_applicant_facing(occurrences(entry.line, lines)):
            continue
        if "fuzzy" in entry.flags or not all(entry.translations):
            problems.append(f"line {entry.line}: {entry.msgid[:60]!r}")
    assert not problems, f"{len(problems)} untranslated in {po}:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("po", applicant_catalogs(), ids=lambda p: p.parts[-3])
def test_applicant_translations_keep_the_placeholders(po):
    problems = [
        f"line {entry.line}: {entry.msgid[:60]!r}"
        for entry in parse_po(po)
        if entry.msgid and "fuzzy" not in entry.flags  # msgfmt leaves fuzzy entries out
        for translation in entry.translations
        if translation
        and set(PLACEHOLDER.findall(translation))
        - set(PLACEHOLDER.findall(entry.msgid + entry.fields.get("msgid_plural", "")))
    ]
    assert not problems, "\n".join(problems[:20])
