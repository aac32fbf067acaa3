"""The needs pages: a company contact enters and handles their own company's needs; the
council enters needs on a company's behalf and sees only the rows it entered; other
companies' and other regions' needs are a 404."""

import pytest
from django.urls import reverse

from accounts.models import Role
from industriradet.models import CompetenceNeed, Horizon, Level
from industriradet.services.needs import need_create
from tests.industriradet.members_support import (
    FOREIGN_HOST,
    client_for,
    contact,
    council,
    staff,
)

pytestmark = pytest.mark.django_db

NEW = reverse("industriradet:need_new")
LIST = reverse("industriradet:needs_list")


def _post(c, **changes):
    data = {
        "survey": c.survey.pk,
        "company": c.company.pk,
        "ssyk_code": "7212",
        "count": "4",
        "horizon": Horizon.YEARS_1_3,
        "municipality": c.municipality.pk,
        "level": Level.UPPER_SECONDARY,
        "note": "Helst med svetslicens",
    }
    data.update(changes)
    return data


def _need(c, company, user=None, **changes):
    values = {
        "acting_user": user,
        "survey": c.survey,
        "company": company,
        "ssyk_code": "8171",
        "count": 2,
        "horizon": Horizon.WITHIN_1,
        "municipality": c.municipality,
        "level": Level.UPPER_SECONDARY,
    }
    values.update(changes)
    return need_create(**values)


def test_a_contact_enters_a_need_for_their_company(region):
    c = council(region)
    user = contact(region, c.company)
    client = client_for(user)
    response = client.post(NEW, _post(c))
    assert response.status_code == 302
    assert response["Location"] == LIST
    need = CompetenceNeed.objects.get()
    assert (need.company, need.ssyk_code, need.count, need.horizon) == (
        c.company,
        "7212",
        4,
        Horizon.YEARS_1_3,
    )
    assert need.entered_by_organisation is None
    assert need.created_by == user
    page = client.get(LIST).content.decode()
    assert "7212" in page
    assert "Exempel Verkstads AB" in page


def test_a_wrong_entry_is_shown_with_its_errors_and_keeps_the_input(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    response = client.post(NEW, _post(c, ssyk_code="72", count="0", note="Nattskift"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "four-digit SSYK 2012 code" in page
    assert 'value="72"' in page
    assert "Nattskift" in page
    assert "error-summary" in page
    assert not CompetenceNeed.objects.exists()


def test_a_contact_cannot_enter_a_need_for_another_company(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    response = client.post(NEW, _post(c, company=c.other_company.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CompetenceNeed.objects.exists()


def test_a_contact_sees_only_their_companys_needs(region):
    c = council(region)
    user = contact(region, c.company)
    own = _need(c, c.company, ssyk_code="7212")
    # Entered by the cluster on the company's behalf: still the company's need.
    on_behalf = _need(c, c.company, ssyk_code="7233", entered_by_organisation=c.cluster)
    other = _need(c, c.other_company, ssyk_code="3113")
    client = client_for(user)
    page = client.get(LIST).content.decode()
    assert "7212" in page and "7233" in page
    assert "3113" not in page
    assert client.get(reverse("industriradet:need_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("industriradet:need_edit", args=[on_behalf.pk])).status_code == 200
    assert client.get(reverse("industriradet:need_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("industriradet:need_delete", args=[other.pk])).status_code == 404
    assert CompetenceNeed.objects.filter(pk=other.pk).exists()


def test_another_regions_need_is_a_404(region, foreign_region):
    c = council(region)
    abroad = council(foreign_region)
    foreign_need = _need(abroad, abroad.company)
    client = client_for(contact(region, c.company))
    for name in ("industriradet:need_edit", "industriradet:need_delete"):
        assert client.get(reverse(name, args=[foreign_need.pk])).status_code == 404
        assert client.post(reverse(name, args=[foreign_need.pk]), _post(c)).status_code == 404
    foreign_need.refresh_from_db()
    assert foreign_need.count == 2
    # The contact has no role in the foreign region at all.
    assert client_for(contact(region, c.company), FOREIGN_HOST).get(LIST).status_code == 403


def test_a_contact_changes_a_need_and_a_wrong_change_keeps_the_input(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    need = _need(c, c.company)
    url = reverse("industriradet:need_edit", args=[need.pk])
    response = client.post(url, _post(c, count="-1"))
    assert response.status_code == 200
    assert 'value="-1"' in response.content.decode()
    assert client.post(url, _post(c, count="7")).status_code == 302
    need.refresh_from_db()
    assert (need.count, need.ssyk_code, need.horizon) == (7, "7212", Horizon.YEARS_1_3)


def test_a_contact_deletes_a_need_after_confirming(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    need = _need(c, c.company)
    url = reverse("industriradet:need_delete", args=[need.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert CompetenceNeed.objects.filter(pk=need.pk).exists()
    assert client.post(url).status_code == 302
    assert not CompetenceNeed.objects.filter(pk=need.pk).exists()


def test_a_closed_surveys_need_is_shown_but_not_changed(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    need = _need(c, c.company)
    c.survey.opens_on = c.survey.closes_on = c.survey.opens_on.replace(year=2020)
    c.survey.save()
    url = reverse("industriradet:need_edit", args=[need.pk])
    page = client.get(url).content.decode()
    assert "The survey is closed" in page
    client.post(url, _post(c, count="9"))
    client.post(reverse("industriradet:need_delete", args=[need.pk]))
    need.refresh_from_db()
    assert need.count == 2
    assert "Survey closed" in client.get(LIST).content.decode()
    assert "No needs survey is open now" in client.get(NEW).content.decode()


@pytest.mark.parametrize("role", [Role.COUNCIL_MEMBER, Role.REGION_ADMIN])
def test_the_council_enters_on_a_companys_behalf_and_sees_only_its_own_rows(region, role):
    c = council(region)
    member = staff(region, role)
    client = client_for(member)
    # A company of no cluster has no one to speak for it but itself.
    form = client.get(NEW).content.decode()
    assert "Exempel Verkstads AB" in form and "Exempel Gjuteri AB" in form
    assert client.post(NEW, _post(c, company=c.other_company.pk)).status_code == 302
    entered = CompetenceNeed.objects.get()
    assert entered.entered_by_organisation == c.cluster
    assert entered.created_by == member
    by_the_company = _need(c, c.company, contact(region, c.company), ssyk_code="3113")
    by_a_colleague = _need(c, c.company, staff(region, role), ssyk_code="7233")
    page = client.get(LIST).content.decode()
    assert "7212" in page
    assert "3113" not in page and "7233" not in page
    for other in (by_the_company, by_a_colleague):
        assert client.get(reverse("industriradet:need_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("industriradet:need_edit", args=[entered.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.INTAKE_OFFICER, Role.APPLICANT])
def test_other_roles_have_no_needs_pages(region, role):
    council(region)
    client = client_for(staff(region, role))
    for url in (LIST, NEW, reverse("industriradet:needs_import")):
        assert client.get(url).status_code == 403


def test_a_company_contact_does_not_import(region):
    c = council(region)
    client = client_for(contact(region, c.company))
    assert client.get(reverse("industriradet:needs_import")).status_code == 403


def test_the_company_home_shows_the_contacts_companies_needs_and_offers(region):
    c = council(region)
    user = contact(region, c.company)
    _need(c, c.company)
    _need(c, c.other_company)
    page = client_for(user).get(reverse("industriradet:company_home")).content.decode()
    assert "Exempel Verkstads AB" in page
    assert "Exempel Gjuteri AB" not in page
    assert "You have 1 need recorded in the open surveys." in page
