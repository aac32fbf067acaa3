"""Loading a region's reference data: Värmland, a second region beside it, and bad files."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.models import AuditEntry, Region, RegionHost, TieBreak
from yrkescenter.models import (
    Agreement,
    Course,
    IntakeOffice,
    Municipality,
    Programme,
    ProgrammeCourse,
    Yrkescenter,
)

ROOT = Path(__file__).resolve().parents[2]
VARMLAND = ROOT / "regions" / "varmland.json"
FJALLBYGDEN = ROOT / "tests" / "data" / "fjallbygden.json"
SWEDEN = ROOT / "regions" / "sverige-kommuner.json"

VARMLAND_CODES = {
    "Kil": "1715",
    "Eda": "1730",
    "Torsby": "1737",
    "Storfors": "1760",
    "Hammarö": "1761",
    "Munkfors": "1762",
    "Forshaga": "1763",
    "Grums": "1764",
    "Årjäng": "1765",
    "Sunne": "1766",
    "Karlstad": "1780",
    "Kristinehamn": "1781",
    "Filipstad": "1782",
    "Hagfors": "1783",
    "Arvika": "1784",
    "Säffle": "1785",
}

pytestmark = pytest.mark.django_db


def load(name_or_path) -> str:
    out = StringIO()
    call_command("load_region", str(name_or_path), stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every table the loader writes, to compare two loads."""
    models = [
        Region,
        RegionHost,
        Municipality,
        Yrkescenter,
        IntakeOffice,
        Agreement,
        Agreement.parties.through,
        Course,
        Programme,
        ProgrammeCourse,
    ]
    rows = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    rows["audit entries"] = AuditEntry.objects.count()
    return rows


def write(tmp_path, data: dict) -> Path:
    path = tmp_path / "region.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def varmland_data() -> dict:
    return json.loads(VARMLAND.read_text(encoding="utf-8"))


def test_loading_varmland_gives_the_sixteen_parties_with_their_official_codes():
    load("varmland")

    region = Region.objects.get(slug="varmland")
    parties = Municipality.objects.for_region(region).filter(is_party=True)
    assert dict(parties.values_list("name", "code")) == VARMLAND_CODES


def test_the_national_list_holds_every_municipality_of_sweden_once():
    items = json.loads(SWEDEN.read_text(encoding="utf-8"))["municipalities"]
    codes = [item["code"] for item in items]

    assert len(items) == 290
    assert len(set(codes)) == 290
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    # SCB's 21 counties, with their number of municipalities.
    per_county: dict[str, int] = {}
    for code in codes:
        per_county[code[:2]] = per_county.get(code[:2], 0) + 1
    assert per_county == {
        "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5,
        "12": 33, "13": 6, "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10,
        "22": 7, "23": 8, "24": 15, "25": 14,
    }  # fmt: skip


def test_loading_varmland_gives_every_municipality_of_sweden_and_marks_the_others():
    load("varmland")

    region = Region.objects.get(slug="varmland")
    municipalities = Municipality.objects.for_region(region)
    assert municipalities.count() == 290
    assert municipalities.filter(is_party=True).count() == 16
    codes = dict(municipalities.values_list("code", "name"))
    assert {
        code: codes[code]
        for code in ["0180", "1480", "1280", "0380", "1780", "2480", "2584", "0980", "1766"]
    } == {
        "0180": "Stockholm",
        "1480": "Göteborg",
        "1280": "Malmö",
        "0380": "Uppsala",
        "1780": "Karlstad",
        "2480": "Umeå",
        "2584": "Kiruna",
        "0980": "Gotland",
        "1766": "Sunne",
    }
    parties = dict(municipalities.values_list("code", "is_party"))
    assert parties["1766"] is True and parties["1780"] is True
    assert parties["0180"] is False and parties["2584"] is False
    # Municipalities just outside the region are not parties either.
    assert parties["1814"] is False  # Lekeberg, Örebro län
    assert parties["2021"] is False  # Vansbro, Dalarna


def test_loading_the_national_list_writes_one_audit_entry_for_it():
    load("varmland")

    entries = AuditEntry.objects.filter(action="national_municipality_list.sync")
    assert entries.count() == 1
    assert len(entries.get().data["created"]) == 290 - 16
    assert AuditEntry.objects.filter(action="municipality.upsert").count() == 16


def test_the_national_list_loads_in_a_few_queries(django_assert_max_num_queries):
    call_command("load_region", str(FJALLBYGDEN), stdout=StringIO())
    region = Region.objects.get(slug="fjallbygden")
    Municipality.objects.for_region(region).filter(is_party=False).delete()

    # Rows and audit entries in bulk, not one query per municipality.
    with django_assert_max_num_queries(80):
        load(FJALLBYGDEN)

    assert Municipality.objects.for_region(region).count() == 293


def test_a_party_that_leaves_the_region_file_becomes_a_non_party(tmp_path):
    load("varmland")
    data = varmland_data()
    data["yrkescenter"]["municipalities"] = [
        item for item in data["yrkescenter"]["municipalities"] if item["code"] != "1785"
    ]
    data["yrkescenter"]["agreements"][0]["parties"].remove("1785")

    load(write(tmp_path, data))

    saffle = Municipality.objects.get(region__slug="varmland", code="1785")
    assert saffle.is_party is False
    assert Municipality.objects.filter(region__slug="varmland").count() == 290


def test_without_a_national_list_only_the_parties_are_loaded(tmp_path):
    data = varmland_data()
    del data["yrkescenter"]["national_municipalities"]

    load(write(tmp_path, data))

    assert Municipality.objects.filter(region__slug="varmland").count() == 16


def test_loading_varmland_gives_the_five_centres_of_2019_in_their_host_municipalities():
    load("varmland")

    centres = dict(
        Yrkescenter.objects.filter(region__slug="varmland").values_list(
            "host_municipality__name", "name"
        )
    )
    assert sorted(centres) == ["Arvika", "Hagfors", "Karlstad", "Kristinehamn", "Sunne"]
    assert all(
        centre.orientation and centre.address
        for centre in Yrkescenter.objects.filter(region__slug="varmland")
    )


def test_every_varmland_programme_has_vp_equal_to_the_sum_of_its_courses():
    load("varmland")

    programmes = Programme.objects.filter(region__slug="varmland")
    assert programmes.count() >= 11
    for programme in programmes:
        course_points = programme.courses.aggregate(total=Sum("points"))["total"]
        assert programme.vp == course_points, programme.code
        assert len(programme.ssyk_code) == 4


def test_the_varmland_agreement_binds_all_sixteen_municipalities_from_2019():
    load("varmland")

    agreement = Agreement.objects.get(region__slug="varmland")
    assert agreement.valid_from == dt.date(2019, 1, 1)
    assert agreement.valid_until is None
    assert agreement.parties.count() == 16
    office = IntakeOffice.objects.get(region__slug="varmland")
    assert office.host_municipality.code == "1780"


def test_loading_twice_changes_no_row_and_writes_no_audit_entry():
    load("varmland")
    before = snapshot()

    output = load("varmland")

    assert snapshot() == before
    assert "nothing changed" in output


def test_the_first_load_reports_what_it_created():
    output = load("varmland")

    assert "Created Region Värmland (varmland)" in output
    assert "municipality 16" in output
    assert "national municipality list 1" in output
    assert "centre 5" in output


def test_a_changed_value_is_saved_and_audited_once(tmp_path):
    load("varmland")
    data = varmland_data()
    data["yrkescenter"]["centres"][0]["address"] = "Nya vägen 1, 671 31 Arvika"
    entries = AuditEntry.objects.count()

    output = load(write(tmp_path, data))

    centre = Yrkescenter.objects.get(region__slug="varmland", slug="arvika")
    assert centre.address == "Nya vägen 1, 671 31 Arvika"
    assert AuditEntry.objects.filter(action="centre.upsert", object_id=str(centre.pk)).count() == 2
    # One entry for the centre, one summarising the load.
    assert AuditEntry.objects.count() == entries + 2
    assert "changed: centre 1" in output


def test_a_second_region_loads_beside_varmland_without_touching_it():
    load("varmland")
    varmland_before = {
        label: rows for label, rows in snapshot().items() if label != "audit entries"
    }

    load(FJALLBYGDEN)

    region = Region.objects.get(slug="fjallbygden")
    assert region.max_choices == 3
    assert region.tie_break == TieBreak.GIVEN
    assert list(region.hosts.values_list("host", flat=True)) == ["fjallbygden.example.test"]
    assert set(
        Municipality.objects.for_region(region).filter(is_party=True).values_list("code", flat=True)
    ) == {"9901", "9902", "9903"}
    assert Municipality.objects.for_region(region).count() == 290 + 3
    assert Yrkescenter.objects.for_region(region).count() == 2
    assert set(Programme.objects.for_region(region).values_list("code", "vp")) == {
        ("underskoterska", 400),
        ("fjallvard", 100),
    }
    after = snapshot()
    for label, rows in varmland_before.items():
        ids = {row["id"] for row in rows}
        assert [row for row in after[label] if row["id"] in ids] == rows, label


def test_a_region_file_can_be_given_by_path():
    load(FJALLBYGDEN)

    assert Region.objects.filter(slug="fjallbygden").exists()


def _broken(change) -> dict:
    data = varmland_data()
    change(data)
    return data


def _drop(mapping: dict, key: str) -> None:
    del mapping[key]


BROKEN_FILES = {
    "unknown municipality code": (
        lambda d: d["yrkescenter"]["centres"][0].update(host_municipality="9999"),
        "yrkescenter.centres[0].host_municipality: 9999 is not one of the region's municipalities",
    ),
    "agreement party unknown": (
        lambda d: d["yrkescenter"]["agreements"][0]["parties"].append("1234"),
        "yrkescenter.agreements[0].parties[16]: 1234 is not one of the region's municipalities",
    ),
    "vp not the sum of courses": (
        lambda d: d["yrkescenter"]["programmes"][0].update(vp=800),
        "yrkescenter.programmes[0].vp: 800 is not the sum of its courses' points (750)",
    ),
    "missing key": (
        lambda d: _drop(d["yrkescenter"]["programmes"][1], "ssyk_code"),
        "yrkescenter.programmes[1] is missing 'ssyk_code'",
    ),
    "unknown course": (
        lambda d: d["yrkescenter"]["programmes"][0]["courses"].append("XYZXYZ01"),
        "yrkescenter.programmes[0].courses[8]: XYZXYZ01 is not one of the file's courses",
    ),
    "bad municipality code": (
        lambda d: d["yrkescenter"]["municipalities"][0].update(code="17150"),
        "yrkescenter.municipalities[0].code: '17150' is not a four-digit municipality code",
    ),
    "unknown section": (
        lambda d: d.update(industriraadet={}),
        "file: unknown section 'industriraadet'",
    ),
    "unsupported format": (
        lambda d: d.update(schema_version="2.0"),
        "schema_version '2.0' is not supported (this version reads 1.0)",
    ),
    "national list outside regions/": (
        lambda d: d["yrkescenter"].update(national_municipalities="../config/settings.json"),
        "yrkescenter.national_municipalities: '../config/settings.json' is not the name of a "
        ".json file in regions/",
    ),
    "national list missing": (
        lambda d: d["yrkescenter"].update(national_municipalities="nowhere.json"),
        "yrkescenter.national_municipalities: no file at",
    ),
    "typo in a key": (
        lambda d: d["yrkescenter"]["centres"][1].update(adress="x"),
        "yrkescenter.centres[1] has unknown key 'adress'",
    ),
}


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_a_bad_file_fails_with_one_clear_line_and_changes_nothing(tmp_path, case):
    change, message = BROKEN_FILES[case]
    path = write(tmp_path, _broken(change))

    with pytest.raises(CommandError) as error:
        load(path)

    assert message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert "Traceback" not in str(error.value)
    assert not Region.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_file_that_is_not_json_fails_with_its_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": "1.0",', encoding="utf-8")

    with pytest.raises(CommandError, match="is not valid JSON"):
        load(path)


def test_a_missing_region_file_fails_clearly():
    with pytest.raises(CommandError, match=r"No region file at .*nowhere\.json"):
        load("nowhere")


def test_a_host_of_another_region_is_refused(tmp_path):
    load("varmland")
    data = json.loads(FJALLBYGDEN.read_text(encoding="utf-8"))
    data["accounts"]["region"]["hosts"] = ["varmland.localhost"]

    with pytest.raises(CommandError, match=r"varmland\.localhost already serves varmland"):
        load(write(tmp_path, data))
