"""Loading the industry council (member organisations, companies, needs surveys) from the region
data file: Värmland's real council, a test region beside it, and bad sections."""

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry
from industriradet.models import Company, MemberOrganisation, NeedsSurvey, OrganisationKind

ROOT = Path(__file__).resolve().parents[2]
VARMLAND = ROOT / "regions" / "varmland.json"
FJALLBYGDEN = ROOT / "tests" / "data" / "fjallbygden.json"

pytestmark = pytest.mark.django_db

SECTION = {
    "description": "A test region's council.",
    "members": [
        {"code": "fjallverkstad", "name": "Fjällverkstad", "kind": "cluster",
         "member_companies": 12},
        {"code": "facket", "name": "Facket", "kind": "union"},
    ],
    "companies": [
        {"name": "Exempel Fjäll AB", "cluster": "fjallverkstad", "municipality": "9901"},
        {"name": "Exempel Älv AB", "cluster": "fjallverkstad", "municipality": "9903",
         "org_number": "556000-0001"},
        {"name": "Exempel Fristående AB"},
    ],
    "surveys": [
        {"code": "behov-2027", "name": "Behov 2027", "opens_on": "2026-09-01",
         "closes_on": "2027-03-31"}
    ],
}  # fmt: skip


def load(path) -> str:
    out = StringIO()
    call_command("load_region", str(path), stdout=out)
    return out.getvalue()


def fjallbygden(tmp_path, section=None) -> Path:
    data = json.loads(FJALLBYGDEN.read_text(encoding="utf-8"))
    data["industriradet"] = copy.deepcopy(SECTION) if section is None else section
    path = tmp_path / "fjallbygden.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot() -> dict:
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in (MemberOrganisation, Company, NeedsSurvey)
    }
    rows["audit entries"] = AuditEntry.objects.count()
    return rows


def test_it_loads_varmlands_council_with_its_clusters_unions_and_region():
    load(VARMLAND)
    members = {m.name: m for m in MemberOrganisation.objects.all()}
    assert {name: (m.kind, m.member_companies) for name, m in members.items()} == {
        "IUC/Stål & Verkstad": (OrganisationKind.CLUSTER, 110),
        "Paper Province": (OrganisationKind.CLUSTER, 100),
        "Compare": (OrganisationKind.CLUSTER, 100),
        "IF Metall": (OrganisationKind.UNION, None),
        "Unionen": (OrganisationKind.UNION, None),
        "GS-facket": (OrganisationKind.UNION, None),
        "Region Värmland": (OrganisationKind.REGION, None),
    }
    companies = Company.objects.select_related("organisation", "municipality")
    # The example companies are fictitious and say so; none has an organisation number.
    assert companies.count() >= 9
    assert all(c.name.startswith("Exempel ") and c.org_number == "" for c in companies)
    assert {c.organisation.name for c in companies} == {
        "IUC/Stål & Verkstad",
        "Paper Province",
        "Compare",
    }
    assert all(c.municipality.code.startswith("17") for c in companies)
    survey = NeedsSurvey.objects.get()
    assert (survey.code, survey.name) == ("kompetensbehov-2027", "Kompetensbehov 2027")
    assert survey.opens_on < survey.closes_on


def test_loading_again_changes_nothing(tmp_path):
    path = fjallbygden(tmp_path)
    load(path)
    before = snapshot()
    assert "up to date" in load(path)
    assert snapshot() == before


def test_it_loads_a_second_region_beside_varmland(tmp_path):
    load(VARMLAND)
    load(fjallbygden(tmp_path))
    fjall = Company.objects.get(name="Exempel Älv AB")
    assert fjall.region.slug == "fjallbygden"
    assert fjall.organisation.code == "fjallverkstad"
    assert fjall.organisation.region == fjall.region
    assert fjall.municipality.code == "9903"
    assert fjall.org_number == "556000-0001"
    assert Company.objects.get(name="Exempel Fristående AB").organisation is None
    assert MemberOrganisation.objects.filter(region=fjall.region).count() == 2


def test_a_change_in_the_file_updates_the_row_and_is_audited(tmp_path):
    load(fjallbygden(tmp_path))
    section = copy.deepcopy(SECTION)
    section["members"][0]["member_companies"] = 14
    section["surveys"][0]["closes_on"] = "2027-04-30"
    output = load(fjallbygden(tmp_path, section))
    assert "changed: member organisation 1, needs survey 1" in output
    assert MemberOrganisation.objects.get(code="fjallverkstad").member_companies == 14
    assert NeedsSurvey.objects.get().closes_on == dt.date(2027, 4, 30)


def _broken(**change):
    section = copy.deepcopy(SECTION)
    for key, (index, field, value) in change.items():
        section[key][index][field] = value
    return section


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            _broken(companies=(0, "municipality", "9999")),
            "industriradet.companies[0].municipality: 9999 is not one of the region's "
            "municipalities",
        ),
        (
            _broken(companies=(0, "municipality", "17")),
            "industriradet.companies[0].municipality: '17' is not a four-digit municipality code",
        ),
        (
            _broken(members=(1, "kind", "guild")),
            "industriradet.members[1].kind: 'guild' is not one of cluster, union, region, other",
        ),
        (
            _broken(members=(1, "code", "fjallverkstad")),
            "industriradet.members: code fjallverkstad appears twice",
        ),
        (
            _broken(companies=(1, "name", "Exempel Fjäll AB")),
            "industriradet.companies: name Exempel Fjäll AB appears twice",
        ),
        (
            _broken(companies=(0, "cluster", "okand")),
            "industriradet.companies[0].cluster: okand is not one of industriradet.members",
        ),
        (
            _broken(companies=(0, "cluster", "facket")),
            "industriradet.companies[0].cluster: facket is a union, not a cluster",
        ),
        (
            _broken(companies=(0, "org_number", "5560000001X")),
            "industriradet.companies[0].org_number: '5560000001X' is not an organisation number",
        ),
        (
            _broken(surveys=(0, "closes_on", "2026-08-01")),
            "industriradet.surveys[0].closes_on is before opens_on",
        ),
        (
            _broken(surveys=(0, "opens_on", "1 september")),
            "industriradet.surveys[0].opens_on: '1 september' is not a date written YYYY-MM-DD",
        ),
        (
            _broken(members=(0, "colour", "blue")),
            "industriradet.members[0] has unknown key 'colour'",
        ),
    ],
)
def test_bad_data_is_refused_in_one_line_and_changes_nothing(tmp_path, section, message):
    load(fjallbygden(tmp_path, {"members": SECTION["members"]}))
    before = snapshot()
    with pytest.raises(CommandError) as error:
        load(fjallbygden(tmp_path, section))
    assert message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert "Traceback" not in str(error.value)
    assert snapshot() == before
