"""The public catalogue: open offerings of every centre of the region, with filters."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CentreFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from yrkescenter.models import Pace

pytestmark = pytest.mark.django_db

HOST = "hemland.example.test"


@pytest.fixture
def client():
    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def arvika(region):
    return CentreFactory(
        region=region,
        name="Yrkescenter Arvika",
        host_municipality=MunicipalityFactory(region=region, name="Arvika"),
    )


@pytest.fixture
def karlstad(region):
    return CentreFactory(
        region=region,
        name="Yrkescenter Karlstad",
        host_municipality=MunicipalityFactory(region=region, name="Karlstad"),
    )


@pytest.fixture
def welding(region):
    return ProgrammeFactory(
        region=region, name="Svetsning", vp=800, ssyk_code="7212", occupation="Svetsare"
    )


@pytest.fixture
def cnc(region):
    return ProgrammeFactory(
        region=region, name="CNC-operatör", vp=400, ssyk_code="7223", occupation="Maskinställare"
    )


def listed(client, **filters) -> str:
    response = client.get(reverse("yrkescenter:offering_list"), filters)
    assert response.status_code == 200
    return response.content.decode()


def test_only_open_offerings_of_the_region_are_listed(client, region, foreign_region, welding):
    now = timezone.now()
    OfferingFactory(region=region, programme=welding)
    closed = OfferingFactory(
        region=region,
        programme=ProgrammeFactory(region=region, name="Stängd kurs"),
        application_opens=now - dt.timedelta(days=40),
        application_closes=now - dt.timedelta(days=1),
    )
    future = OfferingFactory(
        region=region,
        programme=ProgrammeFactory(region=region, name="Framtida kurs"),
        application_opens=now + dt.timedelta(days=1),
        application_closes=now + dt.timedelta(days=40),
    )
    OfferingFactory(
        region=foreign_region, programme=ProgrammeFactory(region=foreign_region, name="Utland")
    )
    html = listed(client)
    assert "Svetsning" in html
    assert closed.programme.name not in html
    assert future.programme.name not in html
    assert "Utland" not in html


def test_each_row_shows_occupation_length_for_its_pace_place_and_window(
    client, region, welding, arvika
):
    offering = OfferingFactory(region=region, programme=welding, centre=arvika, pace=Pace.HALF)
    html = listed(client)
    assert "Svetsare" in html
    # 800 vp is 40 full-time weeks; at half pace it takes 80.
    assert "80 weeks" in html
    assert "Half" in html or "50 %" in html
    assert "Yrkescenter Arvika, Arvika" in html
    assert reverse("yrkescenter:offering_detail", args=[offering.pk]) in html


@pytest.mark.parametrize("which", ["centre", "programme", "occupation", "pace"])
def test_filters_narrow_the_list(client, region, welding, cnc, arvika, karlstad, which):
    a = OfferingFactory(region=region, programme=welding, centre=arvika, pace=Pace.FULL)
    OfferingFactory(region=region, programme=cnc, centre=karlstad, pace=Pace.HALF)
    value = {
        "centre": arvika.pk,
        "programme": welding.pk,
        "occupation": "7212",
        "pace": Pace.FULL,
    }[which]
    html = listed(client, **{which: value})
    assert a.programme.name in html
    assert "CNC-operatör</a>" not in html


def test_start_filters_by_month_and_by_date(client, region, welding, cnc):
    OfferingFactory(
        region=region,
        programme=welding,
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2028, 6, 1),
    )
    OfferingFactory(
        region=region,
        programme=cnc,
        starts_on=dt.date(2028, 1, 10),
        ends_on=dt.date(2028, 6, 1),
    )
    august = listed(client, start_month="2027-08")
    assert "Svetsning</a>" in august and "CNC-operatör</a>" not in august
    later = listed(client, start_from="2027-12-01")
    assert "Svetsning</a>" not in later and "CNC-operatör</a>" in later


def test_a_stale_filter_value_is_ignored(client, region, welding):
    OfferingFactory(region=region, programme=welding)
    assert "Svetsning</a>" in listed(client, centre="999999", pace="x")


def test_the_list_takes_the_same_queries_for_many_offerings(
    client, region, django_assert_max_num_queries
):
    for _ in range(3):
        OfferingFactory(region=region)
    with django_assert_max_num_queries(8) as few:
        listed(client)
    for _ in range(20):
        OfferingFactory(region=region)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed(client)


def test_the_detail_page_offers_to_apply_while_open(client, region, welding):
    offering = OfferingFactory(region=region, programme=welding)
    html = client.get(reverse("yrkescenter:offering_detail", args=[offering.pk])).content.decode()
    assert reverse("admissions:apply_start", args=[offering.pk]) in html
    assert "20 years old" in html  # the eligibility rule is explained


def test_the_detail_page_of_a_closed_offering_says_so(client, region):
    now = timezone.now()
    offering = OfferingFactory(
        region=region,
        application_opens=now - dt.timedelta(days=40),
        application_closes=now - dt.timedelta(days=1),
    )
    html = client.get(reverse("yrkescenter:offering_detail", args=[offering.pk])).content.decode()
    assert "are closed" in html
    assert reverse("admissions:apply_start", args=[offering.pk]) not in html


def test_a_foreign_offering_is_a_404(client, region, foreign_region):
    offering = OfferingFactory(region=foreign_region)
    assert client.get(reverse("yrkescenter:offering_detail", args=[offering.pk])).status_code == 404


def test_htmx_gets_only_the_results(client, region, welding):
    OfferingFactory(region=region, programme=welding)
    response = client.get(reverse("yrkescenter:offering_list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="catalogue-results"' in html and "<html" not in html


def test_the_english_catalogue_uses_the_english_programme_name(client, region):
    OfferingFactory(
        region=region,
        programme=ProgrammeFactory(region=region, name="Svetsning", name_en="Welding"),
    )
    assert "Welding</a>" in listed(client)
    swedish = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Svetsning</a>" in swedish.get(reverse("yrkescenter:offering_list")).content.decode()
