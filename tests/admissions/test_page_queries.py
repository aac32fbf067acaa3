"""The heavy pages of deadline day (bench/load.py's mix) take as many queries for one row as for
many: a page that queried per choice, document or note would grow with every applicant."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from admissions.applications.models import Document, Note
from tests.admissions.intake_support import HOST, staff_client
from tests.factories import (
    ApplicationFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MembershipFactory,
    OfferingFactory,
)

pytestmark = pytest.mark.django_db


def add_rows(application, count: int, author, first_rank: int = 1) -> None:
    """`count` more choices, documents and notes on an application."""
    for index in range(count):
        ChoiceFactory(application=application, rank=first_rank + index)
        Document.objects.create(
            application=application,
            kind="grades",
            file=f"documents/q/{application.pk}-{first_rank + index}",
            original_name=f"betyg-{index}.pdf",
            content_type="application/pdf",
            size=100,
            sha256=f"{first_rank + index:064d}",
        )
        Note.objects.create(application=application, text=f"note {index}", author=author)


def queries_of(client, url, django_assert_max_num_queries, most: int = 60) -> int:
    with django_assert_max_num_queries(most) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_officers_application_page_does_not_grow_with_choices_documents_or_notes(
    region, django_assert_max_num_queries
):
    officer = staff_client(region)
    application = ApplicationFactory(region=region)
    add_rows(application, 1, officer.user)
    url = reverse("admissions:intake_application", kwargs={"pk": application.pk})
    one = queries_of(officer, url, django_assert_max_num_queries)
    add_rows(application, 4, officer.user, first_rank=2)
    assert queries_of(officer, url, django_assert_max_num_queries, most=one) <= one


@pytest.fixture
def applicant_client(region):
    user = MembershipFactory(region=region, role="applicant").user
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.user = user
    return client


def test_the_applicants_status_page_does_not_grow_with_choices_or_documents(
    region, applicant_client, django_assert_max_num_queries
):
    application = ApplicationFactory(region=region, applicant=applicant_client.user)
    add_rows(application, 1, applicant_client.user)
    url = reverse("admissions:application_detail", kwargs={"pk": application.pk})
    one = queries_of(applicant_client, url, django_assert_max_num_queries)
    add_rows(application, 4, applicant_client.user, first_rank=2)
    assert queries_of(applicant_client, url, django_assert_max_num_queries, most=one) <= one


def test_my_applications_does_not_grow_with_the_number_of_applications(
    region, applicant_client, django_assert_max_num_queries
):
    def application_in_a_new_period(year: int):
        period = IntakePeriodFactory(
            region=region,
            code=f"ht{year}",
            starts_on=dt.date(year, 8, 16),
            ends_on=dt.date(year, 12, 20),
        )
        application = ApplicationFactory(
            region=region, intake_period=period, applicant=applicant_client.user
        )
        ChoiceFactory(application=application)
        return application

    application_in_a_new_period(2027)
    url = reverse("admissions:my_applications")
    one = queries_of(applicant_client, url, django_assert_max_num_queries)
    for year in (2028, 2029, 2030):
        application_in_a_new_period(year)
    assert queries_of(applicant_client, url, django_assert_max_num_queries, most=one) <= one


def test_the_offering_page_does_not_grow_with_the_offerings_of_its_period(
    region, django_assert_max_num_queries
):
    period = IntakePeriodFactory(region=region)
    offering = OfferingFactory(region=region, intake_period=period)
    url = reverse("yrkescenter:offering_detail", kwargs={"pk": offering.pk})
    visitor = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    one = queries_of(visitor, url, django_assert_max_num_queries)
    for _ in range(5):
        OfferingFactory(region=region, intake_period=period, programme=offering.programme)
    assert queries_of(visitor, url, django_assert_max_num_queries, most=one) <= one


def test_the_e_id_link_finds_unclaimed_applications_through_their_own_index(region):
    """paper_applications_link runs at every e-ID login and searches every region, so it must
    not scan the applications table (nor the whole (region, personnummer) index)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from admissions.applications.services.applications import paper_applications_link
    from tests.factories import UserFactory

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; the index exists on every backend")
    user = UserFactory(personnummer="198503121231")
    ApplicationFactory.create_batch(3, region=region, applicant=None, status="submitted")
    with CaptureQueriesContext(connection) as captured:
        paper_applications_link(user=user)
    (search,) = [q["sql"] for q in captured if '"applicant_id" IS NULL' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "application_unclaimed_pnr" in plan, plan
