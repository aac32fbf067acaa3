"""The published schema of region files (regions/region.schema.json, docs/regions.md) and
load_region's report of every problem with its path, loading nothing."""

import copy
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from accounts.models import AuditEntry, Region
from accounts.region_files import SCHEMA_VERSION, region_file_problems, region_schema
from yrkescenter.models import Municipality, Yrkescenter

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ROOT / "regions"
DOCS = ROOT / "docs" / "regions.md"
EXAMPLES = ["varmland.json", "ostmark.json", "../tests/data/fjallbygden.json"]


def varmland() -> dict:
    return json.loads((REGIONS / "varmland.json").read_text(encoding="utf-8"))


def load(tmp_path, data: dict) -> str:
    path = tmp_path / "region.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("load_region", str(path), stdout=out)
    return out.getvalue()


def test_the_schema_is_valid_json_schema_and_its_id_carries_the_version():
    schema = region_schema()
    Draft202012Validator.check_schema(schema)
    assert f"/region/{SCHEMA_VERSION}/" in schema["$id"]
    assert schema["properties"]["schema_version"]["enum"] == [SCHEMA_VERSION]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_shipped_region_files_have_no_problem(name):
    data = json.loads((REGIONS / name).read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert region_file_problems(data) == []


def _properties(schema, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(schema, dict):
        found.update(k for k in schema.get("properties", {}) if k != "$schema")
        for value in schema.values():
            _properties(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _properties(value, found)
    return found


def test_the_docs_name_every_field_of_the_schema():
    text = DOCS.read_text(encoding="utf-8")
    # A field is named in a table's first column, alone or at the end of its path
    # (`centres[].address`).
    named = {
        path.split(".")[-1].removesuffix("[]")
        for path in re.findall(r"^\| `([a-z_$.\[\]]+)` \|", text, flags=re.MULTILINE)
    }
    missing = sorted(_properties(region_schema()) - named)
    assert not missing, f"docs/regions.md does not describe {missing}"
    assert "ostmark.json" in text and "undersköterska" in text.lower()


def _change(path: str, value) -> callable:
    """A change that sets the value at a dotted path (list indexes as numbers)."""

    def change(data):
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target = data
        for part in parents:
            target = target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


# One case per kind of problem: what is changed, and the line that reports it.
KINDS = {
    "required field missing": (
        _change("yrkescenter.centres.1.name", KeyError),
        "yrkescenter.centres[1] is missing 'name'",
    ),
    "unknown key": (
        _change("yrkescenter.programmes.2.vpp", 3),
        "yrkescenter.programmes[2] has unknown key 'vpp'",
    ),
    "unknown section": (_change("industrirad", {}), "file: unknown section 'industrirad'"),
    "wrong type": (
        _change("accounts.region.max_choices", "fem"),
        "accounts.region.max_choices must be a whole number",
    ),
    "out of range": (
        _change("accounts.region.max_choices", 25),
        "accounts.region.max_choices: 25 is more than 20",
    ),
    "not one of the choices": (
        _change("accounts.region.tie_break", "coin"),
        "accounts.region.tie_break: 'coin' is not one of lottery, given",
    ),
    "bad code": (
        _change("yrkescenter.centres.0.host_municipality", "178"),
        "yrkescenter.centres[0].host_municipality: '178' is not a four-digit municipality code",
    ),
    "bad date": (
        _change("yrkescenter.agreements.0.valid_from", "2019-02-30"),
        "yrkescenter.agreements[0].valid_from: '2019-02-30' is not a date written YYYY-MM-DD",
    ),
    "empty text": (
        _change("yrkescenter.programmes.0.occupation", " "),
        "yrkescenter.programmes[0].occupation must not be empty",
    ),
    "unsupported schema version": (
        _change("schema_version", "2.0"),
        "schema_version '2.0' is not supported (this version reads 1.0)",
    ),
    "unknown municipality": (
        _change("yrkescenter.centres.2.host_municipality", "2099"),
        "yrkescenter.centres[2].host_municipality: 2099 is not one of the region's municipalities",
    ),
    "agreement party outside the region's list": (
        _change("yrkescenter.agreements.0.parties.0", "0180"),
        "yrkescenter.agreements[0].parties[0]: 0180 is not one of the region's municipalities",
    ),
    "code twice": (
        _change("yrkescenter.centres.1.slug", "arvika"),
        "yrkescenter.centres: slug arvika appears twice",
    ),
    "course not in the catalogue": (
        _change("yrkescenter.programmes.0.courses.0", "NOPE01"),
        "yrkescenter.programmes[0].courses[0]: NOPE01 is not one of the file's courses",
    ),
    "vp not the sum of the courses": (
        _change("yrkescenter.programmes.0.vp", 751),
        "yrkescenter.programmes[0].vp: 751 is not the sum of its courses' points (750)",
    ),
    "price of a programme not in the file": (
        _change("yrkescenter.agreements.0.prices.0.programme", "astronaut"),
        "yrkescenter.agreements[0].prices[0].programme: astronaut is not one of the file's",
    ),
    "end before start": (
        _change("yrkescenter.agreements.0.valid_until", "2018-12-31"),
        "yrkescenter.agreements[0].valid_until: 2018-12-31 is before valid_from",
    ),
    "three decimals": (
        _change("yrkescenter.grant_years.0.granted_places", "60.125"),
        "yrkescenter.grant_years[0].granted_places: '60.125' must be zero or more",
    ),
    "validation course unknown": (
        _change("validation.standards.0.areas.0.courses.0", "NOPE01"),
        "validation.standards[0].areas[0].courses[0]: NOPE01 is not one of the file's courses",
    ),
    "company in a union": (
        _change("industriradet.companies.0.cluster", "if-metall"),
        "industriradet.companies[0].cluster: if-metall is a union, not a cluster",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=list(KINDS))
def test_each_kind_of_problem_is_reported_with_its_path_and_nothing_is_loaded(tmp_path, kind):
    change, line = KINDS[kind]
    data = varmland()
    change(data)

    with pytest.raises(CommandError) as error:
        load(tmp_path, data)

    message = str(error.value)
    assert "1 problem, nothing was loaded:" in message
    assert f"\n  {line}" in message
    assert "Traceback" not in message
    assert not Region.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_every_problem_of_a_file_is_listed_one_per_line(tmp_path):
    data = varmland()
    data["yrkescenter"]["centres"][2]["host_municipality"] = "2099"
    data["yrkescenter"]["programmes"][0]["vp"] = 800
    data["industriradet"]["surveys"][0]["closes_on"] = "2026-01-01"

    with pytest.raises(CommandError) as error:
        load(tmp_path, data)

    lines = str(error.value).splitlines()
    assert lines[0].endswith("3 problems, nothing was loaded:")
    assert lines[1:] == [
        "  yrkescenter.centres[2].host_municipality: 2099 is not one of the region's "
        "municipalities",
        "  yrkescenter.programmes[0].vp: 800 is not the sum of its courses' points (750)",
        "  industriradet.surveys[0].closes_on is before opens_on",
    ]


@pytest.mark.django_db
def test_schema_problems_are_all_listed_before_any_cross_field_check(tmp_path):
    data = varmland()
    del data["accounts"]["region"]["name"]
    data["yrkescenter"]["centres"][0]["slug"] = "Arvika Centrum"
    data["yrkescenter"]["centres"][2]["host_municipality"] = "2099"  # cross-field: not yet

    with pytest.raises(CommandError) as error:
        load(tmp_path, data)

    lines = str(error.value).splitlines()
    assert lines[0].endswith("2 problems, nothing was loaded:")
    assert "  accounts.region is missing 'name'" in lines
    assert any(line.startswith("  yrkescenter.centres[0].slug: 'Arvika Centrum'") for line in lines)


@pytest.mark.django_db
def test_a_problem_found_late_in_the_load_rolls_back_what_was_written_before_it(tmp_path):
    # Without a course list the file's course codes are checked against the database, by the
    # loader, after it has written the region, its municipalities and centres.
    data = varmland()
    data["yrkescenter"].pop("courses")
    data.pop("validation")

    with pytest.raises(CommandError, match="unknown course code"):
        load(tmp_path, data)

    assert not Region.objects.exists()
    assert not Municipality.objects.exists()
    assert not Yrkescenter.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_good_file_after_a_bad_one_loads(tmp_path):
    bad = varmland()
    bad["accounts"]["region"]["hosts"] = []
    with pytest.raises(CommandError, match=r"accounts.region.hosts must list at least 1"):
        load(tmp_path, bad)

    load(tmp_path, copy.deepcopy(varmland()))

    assert Region.objects.get().slug == "varmland"
