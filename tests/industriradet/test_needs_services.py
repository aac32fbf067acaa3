"""The needs services: entering, changing and deleting a company's competence need, with the
survey's dates, the SSYK code, the region's municipalities and the cluster rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from industriradet.models import CompetenceNeed, Horizon, Level
from industriradet.services.needs import need_create, need_delete, need_update
from tests.factories import MunicipalityFactory, RegionFactory
from tests.industriradet.members_support import cluster, contact, council, survey

pytestmark = pytest.mark.django_db


def _need(c, user, **changes):
    values = {
        "acting_user": user,
        "survey": c.survey,
        "company": c.company,
        "ssyk_code": "7212",
        "count": 3,
        "horizon": Horizon.WITHIN_1,
        "municipality": c.municipality,
        "level": Level.UPPER_SECONDARY,
        "note": "Skiftarbete",
    }
    values.update(changes)
    return need_create(**values)


def test_a_contact_records_their_companys_need_and_it_is_audited(region):
    c = council(region)
    user = contact(region, c.company)
    need = _need(c, user)
    need.refresh_from_db()
    assert (need.company, need.ssyk_code, need.count, need.horizon, need.level) == (
        c.company,
        "7212",
        3,
        Horizon.WITHIN_1,
        Level.UPPER_SECONDARY,
    )
    assert need.entered_by_organisation is None
    assert need.created_by == user
    entry = AuditEntry.objects.get(action="competence_need.create")
    assert entry.user == user
    assert entry.data["ssyk_code"] == "7212"
    assert entry.data["municipality"] == c.municipality.code


def test_the_cluster_enters_a_need_on_the_companys_behalf(region):
    c = council(region)
    need = _need(c, None, entered_by_organisation=c.cluster)
    assert need.entered_by_organisation == c.cluster


def test_only_the_companys_own_cluster_speaks_for_it(region):
    c = council(region)
    other = cluster(region, code="papper", name="Pappersklustret")
    with pytest.raises(ValidationError) as error:
        _need(c, None, entered_by_organisation=other)
    assert "entered_by_organisation" in error.value.message_dict
    assert not CompetenceNeed.objects.exists()


@pytest.mark.parametrize("code", ["72", "72121", "72a1", "", "SSYK"])
def test_the_occupation_must_be_a_four_digit_ssyk_code(region, code):
    c = council(region)
    with pytest.raises(ValidationError) as error:
        _need(c, None, ssyk_code=code)
    assert error.value.message_dict["ssyk_code"] == [
        "Write the occupation as a four-digit SSYK 2012 code, e.g. 7212 for welders."
    ]


def test_the_number_must_be_one_or_more(region):
    c = council(region)
    with pytest.raises(ValidationError) as error:
        _need(c, None, count=0)
    assert "count" in error.value.message_dict


def test_the_municipality_must_be_a_party_of_the_companys_region(region):
    c = council(region)
    outside = MunicipalityFactory(region=region, code="0180", name="Stockholm", is_party=False)
    foreign = MunicipalityFactory(region=RegionFactory(slug="annan"), code="8999")
    for municipality in (outside, foreign):
        with pytest.raises(ValidationError) as error:
            _need(c, None, municipality=municipality)
        assert error.value.message_dict["municipality"] == [
            "Choose one of the region's municipalities."
        ]


def test_a_survey_of_another_region_is_refused(region):
    c = council(region)
    elsewhere = survey(RegionFactory(slug="annan"))
    with pytest.raises(ValidationError) as error:
        _need(c, None, survey=elsewhere)
    assert "survey" in error.value.message_dict


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(1, 30), (-60, -1)],
    ids=["not yet open", "closed"],
)
def test_needs_are_entered_only_while_the_survey_is_open(region, opens, closes):
    c = council(region)
    shut = survey(region, code="stangd", opens_in_days=opens, closes_in_days=closes)
    with pytest.raises(ValidationError) as error:
        _need(c, None, survey=shut)
    assert "survey" in error.value.message_dict
    assert not CompetenceNeed.objects.exists()


def test_the_survey_is_open_on_its_first_and_last_day(region):
    c = council(region)
    today_only = survey(region, code="idag", opens_in_days=0, closes_in_days=0)
    assert _need(c, None, survey=today_only).pk


def test_a_change_is_saved_and_the_audit_log_keeps_before_and_after(region):
    c = council(region)
    user = contact(region, c.company)
    need = _need(c, user)
    need_update(
        acting_user=user,
        need=need,
        ssyk_code="7223",
        count=5,
        horizon=Horizon.YEARS_1_3,
        municipality=c.other_municipality,
        level=Level.HIGHER_VOCATIONAL,
        note="",
    )
    need.refresh_from_db()
    assert (need.ssyk_code, need.count, need.municipality) == ("7223", 5, c.other_municipality)
    entry = AuditEntry.objects.get(action="competence_need.update")
    assert entry.data["before"]["count"] == 3
    assert entry.data["after"]["count"] == 5
    assert entry.data["note_changed"] is True


def test_saving_a_need_unchanged_writes_nothing(region):
    c = council(region)
    need = _need(c, None)
    need_update(
        acting_user=None,
        need=need,
        ssyk_code="7212",
        count=3,
        horizon=Horizon.WITHIN_1,
        municipality=c.municipality,
        level=Level.UPPER_SECONDARY,
        note="Skiftarbete",
    )
    assert not AuditEntry.objects.filter(action="competence_need.update").exists()


def test_a_need_is_deleted_and_the_audit_log_keeps_what_it_said(region):
    c = council(region)
    user = contact(region, c.company)
    need = _need(c, user)
    pk = need.pk
    need_delete(acting_user=user, need=need)
    assert not CompetenceNeed.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="competence_need.delete")
    assert entry.object_id == str(pk)
    assert entry.data["count"] == 3
    assert entry.data["company"] == c.company.pk


def test_after_the_survey_closes_a_need_is_neither_changed_nor_deleted(region):
    c = council(region)
    need = _need(c, None)
    c.survey.closes_on = c.survey.opens_on = dt.date(2020, 1, 1)
    c.survey.save()
    with pytest.raises(ValidationError):
        need_delete(acting_user=None, need=need)
    with pytest.raises(ValidationError):
        need_update(
            acting_user=None,
            need=need,
            ssyk_code="7212",
            count=9,
            horizon=Horizon.WITHIN_1,
            municipality=c.municipality,
            level=Level.UPPER_SECONDARY,
        )
    need.refresh_from_db()
    assert need.count == 3
