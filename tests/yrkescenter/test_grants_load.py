"""Loading the grant years, the agreement's price list and its early-stop rule, and the
programmes' sectors from a region's data file."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry, Region
from tests.factories import UserFactory
from yrkescenter.models import (
    Agreement,
    CofinancingCommitment,
    EarlyStopRule,
    GrantRate,
    GrantYear,
    Municipality,
    Price,
    PriceUnit,
    Programme,
    Sector,
)
from yrkescenter.selectors import commitments_current, rates_of
from yrkescenter.services import commitment_record

ROOT = Path(__file__).resolve().parents[2]
VARMLAND = ROOT / "regions" / "varmland.json"

pytestmark = pytest.mark.django_db


def load(name_or_path) -> str:
    out = StringIO()
    call_command("load_region", str(name_or_path), stdout=out)
    return out.getvalue()


def varmland_data() -> dict:
    return json.loads(VARMLAND.read_text(encoding="utf-8"))


def write(tmp_path, data: dict) -> Path:
    path = tmp_path / "region.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot() -> dict:
    models = [GrantYear, GrantRate, CofinancingCommitment, Price, Agreement, Programme]
    rows = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    rows["audit entries"] = AuditEntry.objects.count()
    return rows


def test_varmland_has_grant_years_2026_and_2027_for_industry_and_it_at_three_to_seven():
    load("varmland")

    grant_years = GrantYear.objects.filter(region__slug="varmland")
    assert sorted(grant_years.values_list("year", "sector")) == [
        (2026, Sector.INDUSTRY),
        (2026, Sector.IT),
        (2027, Sector.INDUSTRY),
        (2027, Sector.IT),
    ]
    assert set(grant_years.values_list("cofinancing_municipal", "cofinancing_state")) == {(3, 7)}
    industry = grant_years.get(year=2026, sector=Sector.INDUSTRY)
    assert industry.granted_places == Decimal("60")
    # Skolverket's levels since 2018: 30 000, 35 000 and 75 000 SEK per årsstudieplats.
    assert set(rates_of(industry).values()) == {
        Decimal("30000"),
        Decimal("35000"),
        Decimal("75000"),
    }
    commitments = commitments_current(industry)
    assert len(commitments) == 16
    # 60 * 3/7 = 25.71 places are required; the file commits 27.
    assert sum(commitments.values()) == Decimal("27")
    karlstad = Municipality.objects.get(region__slug="varmland", code="1780")
    assert commitments[karlstad.pk] == Decimal("6")


def test_varmland_has_a_price_for_every_programme_and_the_it_programme_is_it():
    load("varmland")

    agreement = Agreement.objects.get(region__slug="varmland")
    programmes = Programme.objects.filter(region__slug="varmland")
    assert agreement.early_stop_rule == EarlyStopRule.PRO_RATA
    assert set(agreement.prices.values_list("programme__code", flat=True)) == set(
        programmes.values_list("code", flat=True)
    )
    welder = Price.objects.get(agreement=agreement, programme__code="svetsare")
    assert (welder.unit, welder.amount) == (PriceUnit.PER_WEEK, Decimal("3400"))
    assert list(programmes.filter(sector=Sector.IT).values_list("code", flat=True)) == [
        "it-supporttekniker"
    ]


def test_loading_twice_changes_nothing():
    load("varmland")
    before = snapshot()

    output = load("varmland")

    assert snapshot() == before
    assert "nothing changed" in output


def test_the_first_load_reports_the_grant_years_and_prices():
    output = load("varmland")

    assert "price 11" in output
    assert "grant year 4" in output


def test_a_changed_commitment_in_the_file_adds_a_row_and_keeps_the_old(tmp_path):
    load("varmland")
    data = varmland_data()
    data["yrkescenter"]["grant_years"][0]["commitments"]["1780"] = 7.5

    load(write(tmp_path, data))

    karlstad = Municipality.objects.get(region__slug="varmland", code="1780")
    year = GrantYear.objects.get(region__slug="varmland", year=2026, sector=Sector.INDUSTRY)
    rows = CofinancingCommitment.objects.filter(grant_year=year, municipality=karlstad)
    assert sorted(rows.values_list("places", flat=True)) == [Decimal("6"), Decimal("7.5")]
    assert commitments_current(year)[karlstad.pk] == Decimal("7.5")


def test_a_rectors_commitment_is_not_overridden_by_loading_the_file_again():
    load("varmland")
    karlstad = Municipality.objects.get(region__slug="varmland", code="1780")
    year = GrantYear.objects.get(region__slug="varmland", year=2026, sector=Sector.INDUSTRY)
    commitment_record(
        acting_user=UserFactory(),
        grant_year=year,
        municipality=karlstad,
        places=Decimal("9"),
        reason="Kommunstyrelsen beslutade om fler platser",
    )

    load("varmland")

    assert commitments_current(year)[karlstad.pk] == Decimal("9")


def test_a_changed_rate_and_price_are_updated(tmp_path):
    load("varmland")
    data = varmland_data()
    data["yrkescenter"]["grant_years"][0]["rates"]["3"] = "76000"
    data["yrkescenter"]["agreements"][0]["prices"][0]["amount"] = 2950

    output = load(write(tmp_path, data))

    year = GrantYear.objects.get(region__slug="varmland", year=2026, sector=Sector.INDUSTRY)
    assert rates_of(year)["3"] == Decimal("76000")
    assert Price.objects.get(programme__code="cnc-operator").amount == Decimal("2950")
    assert "changed: price 1, grant year 1" in output


def _broken(change) -> dict:
    data = varmland_data()
    change(data["yrkescenter"])
    return data


def _grant(section) -> dict:
    return section["grant_years"][0]


def _price(section) -> dict:
    return section["agreements"][0]["prices"][0]


BROKEN = {
    "unknown sector": (
        lambda s: _grant(s).update(sector="forestry"),
        "yrkescenter.grant_years[0].sector: 'forestry' is not one of industry, care, it, other",
    ),
    "no state places in the ratio": (
        lambda s: _grant(s).update(cofinancing={"municipal": 3, "state": 0}),
        "yrkescenter.grant_years[0].cofinancing.state: 0 is less than 1",
    ),
    "ratio missing": (
        lambda s: _grant(s).pop("cofinancing"),
        "yrkescenter.grant_years[0] is missing 'cofinancing'",
    ),
    "unknown grant category": (
        lambda s: _grant(s)["rates"].update({"9": 1000}),
        "yrkescenter.grant_years[0].rates: the key '9' is not a grant category (1, 2, 3, 4)",
    ),
    "negative places": (
        lambda s: _grant(s).update(granted_places=-1),
        "yrkescenter.grant_years[0].granted_places: -1 must be zero or more with at most two "
        "decimals",
    ),
    "three decimals": (
        lambda s: _grant(s)["commitments"].update({"1780": 1.125}),
        "yrkescenter.grant_years[0].commitments.1780 must be zero or more with at most two",
    ),
    "not a number": (
        lambda s: _grant(s).update(granted_amount="fyra miljoner"),
        "yrkescenter.grant_years[0].granted_amount: 'fyra miljoner' must be zero or more",
    ),
    "unknown municipality": (
        lambda s: _grant(s)["commitments"].update({"9999": 1}),
        "yrkescenter.grant_years[0].commitments.9999: 9999 is not one of the region's "
        "municipalities",
    ),
    "bad municipality code": (
        lambda s: _grant(s)["commitments"].update({"178": 1}),
        "yrkescenter.grant_years[0].commitments: the key '178' is not a four-digit municipality "
        "code",
    ),
    "year and sector twice": (
        lambda s: s["grant_years"].append(dict(s["grant_years"][0])),
        "yrkescenter.grant_years: year and sector 2026 industry appears twice",
    ),
    "typo in a grant year": (
        lambda s: _grant(s).update(granted_place=60),
        "yrkescenter.grant_years[0] has unknown key 'granted_place'",
    ),
    "unknown price unit": (
        lambda s: _price(s).update(unit="per_month"),
        "yrkescenter.agreements[0].prices[0].unit: 'per_month' is not one of per_vp, per_week",
    ),
    "price of an unknown programme": (
        lambda s: _price(s).update(programme="astronaut"),
        "yrkescenter.agreements[0].prices[0].programme: astronaut is not one of the file's "
        "programmes",
    ),
    "a programme priced twice": (
        lambda s: s["agreements"][0]["prices"].append(dict(_price(s))),
        "yrkescenter.agreements[0].prices: programme cnc-operator appears twice",
    ),
    "unknown early-stop rule": (
        lambda s: s["agreements"][0].update(early_stop_rule="half"),
        "yrkescenter.agreements[0].early_stop_rule: 'half' is not one of full_course, pro_rata",
    ),
    "unknown programme sector": (
        lambda s: s["programmes"][0].update(sector="space"),
        "yrkescenter.programmes[0].sector: 'space' is not one of",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_bad_grant_data_fails_with_one_clear_line_and_changes_nothing(tmp_path, case):
    change, message = BROKEN[case]

    with pytest.raises(CommandError) as error:
        load(write(tmp_path, _broken(change)))

    assert message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert "Traceback" not in str(error.value)
    assert not Region.objects.exists()
    assert not GrantYear.objects.exists()
