"""Loading the validation centre and its standards from the region data file."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry
from validation.models import CompetenceArea, CompetenceStandard, Method, ValidationCentre

ROOT = Path(__file__).resolve().parents[2]
VARMLAND = ROOT / "regions" / "varmland.json"
FJALLBYGDEN = ROOT / "tests" / "data" / "fjallbygden.json"

pytestmark = pytest.mark.django_db

SECTION = {
    "description": "Illustrative standards of a test region.",
    "centre": {
        "name": "Valideringscentrum Fjällbygden",
        "host_municipality": "9901",
        "address": "Storgatan 1",
        "email": "validering@fjallbygden.example.test",
    },
    "standards": [
        {
            "code": "underskoterska",
            "name": "Undersköterska",
            "name_en": "Assistant nurse",
            "branch": "Vård och omsorg",
            "owner": "Vård- och omsorgscollege",
            "description": "Illustrative.",
            "four_eyes": True,
            "areas": [
                {
                    "code": "omvardnad",
                    "name": "Omvårdnad",
                    "name_en": "Nursing care",
                    "method": "practical_workplace",
                    "courses": ["FJVARD01", "FJVARD02"],
                },
                {
                    "code": "bemotande",
                    "name": "Bemötande",
                    "method": "interview",
                    "courses": ["FJTUR01"],
                },
            ],
        }
    ],
}


def load(path) -> str:
    out = StringIO()
    call_command("load_region", str(path), stdout=out)
    return out.getvalue()


def fjallbygden(tmp_path, section=None) -> Path:
    data = json.loads(FJALLBYGDEN.read_text(encoding="utf-8"))
    data["validation"] = copy.deepcopy(SECTION) if section is None else section
    path = tmp_path / "fjallbygden.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot() -> dict:
    models = [ValidationCentre, CompetenceStandard, CompetenceArea, CompetenceArea.courses.through]
    rows = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    rows["audit entries"] = AuditEntry.objects.count()
    return rows


def test_it_loads_the_centre_and_the_standards_with_their_areas(tmp_path):
    load(fjallbygden(tmp_path))
    centre = ValidationCentre.objects.get()
    assert centre.name == "Valideringscentrum Fjällbygden"
    assert centre.host_municipality.code == "9901"
    assert centre.email == "validering@fjallbygden.example.test"
    standard = CompetenceStandard.objects.get()
    assert (standard.code, standard.name_en, standard.owner, standard.four_eyes) == (
        "underskoterska",
        "Assistant nurse",
        "Vård- och omsorgscollege",
        True,
    )
    areas = list(standard.areas.order_by("position"))
    assert [(a.code, a.method, a.position) for a in areas] == [
        ("omvardnad", Method.PRACTICAL_WORKPLACE, 1),
        ("bemotande", Method.INTERVIEW, 2),
    ]
    assert sorted(areas[0].courses.values_list("code", flat=True)) == ["FJVARD01", "FJVARD02"]
    assert sum(course.points for course in areas[0].courses.all()) == 400


def test_loading_twice_changes_nothing(tmp_path):
    path = fjallbygden(tmp_path)
    load(path)
    before = snapshot()
    load(path)
    assert snapshot() == before


def test_a_changed_mapping_is_updated(tmp_path):
    load(fjallbygden(tmp_path))
    section = copy.deepcopy(SECTION)
    section["standards"][0]["areas"][0]["courses"] = ["FJVARD01"]
    section["standards"][0]["four_eyes"] = False
    load(fjallbygden(tmp_path, section))
    area = CompetenceArea.objects.get(code="omvardnad")
    assert list(area.courses.values_list("code", flat=True)) == ["FJVARD01"]
    assert not CompetenceStandard.objects.get().four_eyes
    assert (
        AuditEntry.objects.filter(action="validation_area.upsert", object_id=str(area.pk)).count()
        == 2
    )


def _refused(tmp_path, change) -> str:
    section = copy.deepcopy(SECTION)
    change(section)
    with pytest.raises(CommandError) as error:
        load(fjallbygden(tmp_path, section))
    assert not CompetenceStandard.objects.exists()
    message = str(error.value)
    assert "nothing was loaded" in message
    return message


def test_an_unknown_course_code_is_refused_in_one_line(tmp_path):
    message = _refused(
        tmp_path,
        lambda s: s["standards"][0]["areas"][1].update(courses=["FJTUR01", "NOSUCH01"]),
    )
    assert (
        "validation.standards[0].areas[1].courses[1]: NOSUCH01 is not one of the file's courses"
        in message
    )


def test_an_unknown_method_is_refused(tmp_path):
    message = _refused(tmp_path, lambda s: s["standards"][0]["areas"][0].update(method="telepathy"))
    assert "areas[0].method: 'telepathy' is not one of" in message


def test_duplicate_codes_are_refused(tmp_path):
    message = _refused(tmp_path, lambda s: s["standards"].append(copy.deepcopy(s["standards"][0])))
    assert "validation.standards: code underskoterska appears twice" in message
    message = _refused(
        tmp_path,
        lambda s: s["standards"][0]["areas"][1].update(code="omvardnad"),
    )
    assert "areas: code omvardnad appears twice" in message


def test_an_unknown_centre_municipality_and_a_missing_four_eyes_are_refused(tmp_path):
    message = _refused(tmp_path, lambda s: s["centre"].update(host_municipality="9999"))
    assert message.endswith(
        "validation.centre.host_municipality: 9999 is not one of the region's municipalities"
    )
    message = _refused(tmp_path, lambda s: s["standards"][0].pop("four_eyes"))
    assert "is missing 'four_eyes'" in message


def test_varmland_has_four_standards_mapped_to_its_catalogue():
    load(VARMLAND)
    centre = ValidationCentre.objects.get()
    assert centre.host_municipality.code == "1780"
    standards = {s.code: s for s in CompetenceStandard.objects.prefetch_related("areas__courses")}
    assert set(standards) == {"svetsare", "cnc-operator", "industrielektriker", "processoperator"}
    assert standards["svetsare"].four_eyes and standards["industrielektriker"].four_eyes
    assert not standards["cnc-operator"].four_eyes
    mig = standards["svetsare"].areas.get(code="mig-mag-kal")
    assert sorted(c.code for c in mig.courses.all()) == ["SVTKMM01", "SVTKMM02"]
    methods = {a.method for s in standards.values() for a in s.areas.all()}
    assert methods == set(Method.values)
    assert (
        "illustrative"
        in json.loads(VARMLAND.read_text(encoding="utf-8"))["validation"]["description"]
    )
