"""The settlement pages: region admins see everything, a rector their municipality's row and
column and the region's totals, council members the totals only; other roles 403; another
region's term 404; no personnummer anywhere. Figures are those of settlement_support.py."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Role
from admissions.enrolment.models import Enrolment
from tests.admissions.intake_support import staff_client
from tests.admissions.settlement_support import small_region
from tests.factories import (
    ApplicationFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from yrkescenter.models import Price


@pytest.fixture
def world(region):
    return small_region(region)


def _client(region, role, municipality=None):
    scope = {"scope_municipality": municipality} if municipality is not None else {}
    return staff_client(region, role=role, **scope)


def _detail(world):
    return reverse("admissions:settlement_detail", args=[world.period.pk])


def _cell(world, home, host):
    return reverse("admissions:settlement_cell", args=[world.period.pk, home.code, host.code])


def _municipality(world, municipality):
    return reverse("admissions:settlement_municipality", args=[world.period.pk, municipality.code])


def _text(response) -> str:
    # Tags out and whitespace folded, so figures can be found whatever the markup around them.
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return unescape(re.sub(r"\s+", " ", text))


def _assert_no_personnummer(world, content: str):
    for enrolment in world.students.values():
        number = enrolment.application.personnummer
        assert number
        assert number not in content
        assert number[2:] not in content
        assert f"{number[:8]}-{number[8:]}" not in content
        assert f"{number[2:8]}-{number[8:]}" not in content


def test_the_index_lists_the_terms_with_their_students(world, region):
    response = _client(region, Role.REGION_ADMIN).get(reverse("admissions:settlement_index"))
    assert response.status_code == 200
    text = _text(response)
    assert "HT 2026" in text and "VT 2026" in text
    assert (
        reverse("admissions:settlement_detail", args=[world.period.pk]) in response.content.decode()
    )


def test_a_region_admin_sees_the_whole_matrix_municipalities_and_grant_year(world, region):
    response = _client(region, Role.REGION_ADMIN).get(_detail(world))

    assert response.status_code == 200
    text = _text(response)
    # Region totals: 146 083.33 paid by municipalities, 89 375 from the grant.
    assert "146,083.33 kr" in text
    assert "89,375.00 kr" in text
    # Every cell of the matrix, with its drill-down link.
    for amount in ("18,000.00", "30,000.00", "2,083.33", "50,083.33", "114,000.00", "32,083.33"):
        assert amount in text
    html = response.content.decode()
    assert _cell(world, world.karlstad, world.arvika) in html
    assert _cell(world, world.orebro, world.karlstad) in html
    # Per municipality: Karlstad's net 66 000, Kil's -50 083.33.
    assert "66,000.00 kr" in text
    assert "-50,083.33 kr" in text
    # The grant year: 2.10 places used of 3.00; 129 133.66 kr to return.
    assert "2026 · Industry" in text
    assert "129,133.66 kr" in text
    assert "Short by" in text
    assert "Download CSV" in text
    _assert_no_personnummer(world, html)


def test_a_rector_sees_their_row_and_column_and_the_region_totals_only(world, region):
    client = _client(region, Role.RECTOR, world.kil)
    response = client.get(_detail(world))

    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    # Kil's own cells (Kil pays Karlstad 48 000 and Arvika 2 083.33) and its row total.
    assert _cell(world, world.kil, world.karlstad) in html
    assert _cell(world, world.kil, world.arvika) in html
    assert "50,083.33 kr" in text
    # Other pairs are neither shown nor linked: Karlstad -> Arvika, Örebro -> Karlstad.
    assert _cell(world, world.karlstad, world.arvika) not in html
    assert _cell(world, world.orebro, world.karlstad) not in html
    assert "114,000.00" not in text  # Karlstad's column total
    assert "30,000.00" not in text  # the Karlstad -> Arvika cell
    # The cells not shown, together: s1 48 000 + s3 18 000 + s7 30 000 = 96 000, 3 students.
    assert "The cells not shown, together: 96,000.00 kr for 3 paying students." in text
    # Region totals are shown.
    assert "146,083.33 kr" in text
    # Only Kil's own line in the per-municipality table.
    assert _municipality(world, world.kil) in html
    assert _municipality(world, world.karlstad) not in html
    _assert_no_personnummer(world, html)


def test_a_host_municipalitys_rector_sees_the_column_of_who_pays_it(world, region):
    response = _client(region, Role.RECTOR, world.karlstad).get(_detail(world))

    html = response.content.decode()
    text = _text(response)
    # Karlstad's column: Kil and Örebro pay it; its row: it pays Arvika; its own centre.
    for home, host in (
        (world.kil, world.karlstad),
        (world.orebro, world.karlstad),
        (world.karlstad, world.karlstad),
        (world.karlstad, world.arvika),
    ):
        assert _cell(world, home, host) in html
    assert "114,000.00 kr" in text  # its column total: 18 000 + 48 000 + 48 000
    # Kil -> Arvika is not Karlstad's: not linked; Kil's and Arvika's totals not shown.
    assert _cell(world, world.kil, world.arvika) not in html
    assert "50,083.33" not in text and "32,083.33" not in text
    # Arvika -> Arvika (s5 on a state seat) is neither Karlstad's row nor column.
    assert _cell(world, world.arvika, world.arvika) not in html


def test_a_rector_drills_down_only_into_cells_of_their_municipality(world, region):
    client = _client(region, Role.RECTOR, world.kil)

    own = client.get(_cell(world, world.kil, world.karlstad))
    assert own.status_code == 200
    text = _text(own)
    s4 = world.application("s4")
    s2 = world.application("s2")
    # s4's amount and its figures: 800 vp x 60 kr per vp = 48 000; s2 on the state seat.
    assert f"HEM-S4 {s4.full_name}" in text
    assert "studying: the whole course, 800 vp" in text
    assert "800 × 60.00 kr per vp" in text
    assert "48,000.00 kr" in text
    assert f"HEM-S2 {s2.full_name}" in text
    assert "1 × 80,000.00 kr per årsstudieplats (800 vp)" in text
    assert "paid by the grant" in text
    _assert_no_personnummer(world, own.content.decode())

    # Kil as host: no Kil centre, but the cell is Kil's column, so it may be opened (empty).
    assert client.get(_cell(world, world.karlstad, world.kil)).status_code == 200
    # A pair without Kil is outside the rector's scope: the same as missing.
    assert client.get(_cell(world, world.karlstad, world.arvika)).status_code == 404
    assert client.get(_cell(world, world.orebro, world.karlstad)).status_code == 404
    # An unknown municipality code is a 404 too.
    missing = reverse("admissions:settlement_cell", args=[world.period.pk, "1715", "0000"])
    assert client.get(missing).status_code == 404


def test_the_drill_down_shows_a_stopped_students_pro_rata_figures(world, region):
    client = _client(region, Role.REGION_ADMIN)
    text = _text(client.get(_cell(world, world.kil, world.arvika)))
    # s6: 10 of 144 days of 400 vp = 27.78 vp = 1.3889 weeks x 1 500 = 2 083.33.
    assert "pro rata 10/144 days of 400 vp" in text
    assert "27.78" in text
    assert "1.3889 × 1,500.00 kr per full-time week (20 vp)" in text
    assert "2,083.33 kr" in text


def test_a_rector_sees_their_own_municipality_page_only(world, region):
    client = _client(region, Role.RECTOR, world.karlstad)

    response = client.get(_municipality(world, world.karlstad))
    assert response.status_code == 200
    text = _text(response)
    # Karlstad pays 30 000 to Arvika, 18 000 at its own centre, receives 96 000: net 66 000.
    assert "Paid to other municipalities 30,000.00 kr" in text
    assert "Cost at own centres 18,000.00 kr" in text
    assert "Received as host 96,000.00 kr" in text
    assert "Net 66,000.00 kr" in text
    assert "0.50 places committed in the grant year; 0.88 municipal places used" in text
    # Its residents (s3, s7) and the students it hosts (s1 Örebro, s2 and s4 Kil).
    for reference in ("HEM-S3", "HEM-S7", "HEM-S1", "HEM-S2", "HEM-S4"):
        assert reference in text
    assert "HEM-S5" not in text and "HEM-S6" not in text
    _assert_no_personnummer(world, response.content.decode())

    assert client.get(_municipality(world, world.kil)).status_code == 404


def test_drill_downs_are_recorded_in_the_audit_log(world, region):
    client = _client(region, Role.RECTOR, world.kil)
    client.get(_cell(world, world.kil, world.karlstad))
    client.get(_municipality(world, world.kil))

    entries = list(AuditEntry.objects.filter(action="settlement.view").order_by("id"))
    assert [entry.data["municipalities"] for entry in entries] == [["1715", "1780"], ["1715"]]
    assert all(entry.user == client.user for entry in entries)


def test_a_council_member_sees_totals_and_the_grant_only(world, region):
    client = _client(region, Role.COUNCIL_MEMBER)
    response = client.get(_detail(world))

    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    assert "146,083.33 kr" in text
    assert "129,133.66 kr" in text
    # No matrix, no municipality figures, no students, no export.
    assert "Home municipality × host municipality" not in text
    assert "Per municipality" not in text
    assert "/betalare/" not in html and "/kommun/" not in html
    assert "HEM-S" not in text
    assert "Download" not in text
    for enrolment in world.students.values():
        assert enrolment.application.last_name not in text

    assert client.get(_cell(world, world.kil, world.karlstad)).status_code == 403
    assert client.get(_municipality(world, world.kil)).status_code == 403
    export = reverse("admissions:settlement_export", args=[world.period.pk, "csv"])
    assert client.post(export).status_code == 403


def test_a_council_member_sees_small_counts_suppressed(world, region):
    # Two students left in HT 2026: s1 (48 000, outside) and s2 (the state seat, 80 000).
    Enrolment.objects.filter(
        application__reference__in=["HEM-S3", "HEM-S4", "HEM-S5", "HEM-S6", "HEM-S7"]
    ).delete()

    council = _text(_client(region, Role.COUNCIL_MEMBER).get(_detail(world)))
    admin = _text(_client(region, Role.REGION_ADMIN).get(_detail(world)))

    assert "Students <5 " in council
    assert "Students 2 " in admin
    assert "48,000.00 kr" in council  # amounts are not counts of people


@pytest.mark.parametrize(
    "role", [Role.INTAKE_OFFICER, Role.COORDINATOR, Role.COUNSELLOR, Role.ASSESSOR]
)
def test_other_staff_roles_get_403(world, region, role):
    scope = {}
    if role == Role.COUNSELLOR:
        scope["municipality"] = world.kil
    client = (
        _client(region, role, **scope)
        if role != Role.COORDINATOR
        else staff_client(region, role=role, scope_centre=world.o1.centre)
    )
    assert client.get(reverse("admissions:settlement_index")).status_code == 403
    assert client.get(_detail(world)).status_code == 403
    assert client.get(_cell(world, world.kil, world.karlstad)).status_code == 403


def test_an_applicant_gets_403(world, region):
    member = MembershipFactory(region=region, role=Role.APPLICANT)
    ApplicationFactory(region=region, intake_period=world.period, applicant=member.user)
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(member.user)
    assert client.get(reverse("admissions:settlement_index")).status_code == 403
    assert client.get(_detail(world)).status_code == 403


def test_another_regions_term_is_a_404(world, region, foreign_region):
    foreign_period = IntakePeriodFactory(region=foreign_region)
    client = _client(region, Role.REGION_ADMIN)
    for name, extra in (
        ("admissions:settlement_detail", []),
        ("admissions:settlement_municipality", ["1715"]),
        ("admissions:settlement_cell", ["1715", "1780"]),
    ):
        assert client.get(reverse(name, args=[foreign_period.pk, *extra])).status_code == 404
    export = reverse("admissions:settlement_export", args=[foreign_period.pk, "xlsx"])
    assert client.post(export).status_code == 404


def test_anonymous_users_are_sent_to_login(world):
    response = Client(HTTP_HOST="hemland.example.test").get(_detail(world))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_the_page_shows_a_line_without_a_price(world, region):
    Price.objects.filter(programme=world.cnc).delete()
    response = _client(region, Role.REGION_ADMIN).get(_detail(world))

    assert response.status_code == 200
    text = _text(response)
    assert "Lines that could not be priced" in text
    assert "HEM-S6 · CNC-operatör · Kil (1715) → Arvika (1784): The agreement" in text
    assert "has no price for CNC-operatör." in text
    # s6 and s7 are left out: 146 083.33 - 2 083.33 - 30 000 = 114 000, of which municipal
    # 18 000 (s3) + 48 000 (s4) = 66 000 and outside the agreement 48 000 (s1).
    assert "114,000.00 kr (66,000.00 kr for municipal seats, 48,000.00 kr outside" in text
    assert "2 students could not be priced" in text


def test_an_empty_term_and_a_rector_without_students_get_a_page(world, region):
    empty = IntakePeriodFactory(region=region, code="vt2027", name="VT 2027")
    admin = _client(region, Role.REGION_ADMIN)
    response = admin.get(reverse("admissions:settlement_detail", args=[empty.pk]))
    assert response.status_code == 200
    assert "The term has no offerings." in _text(response)

    hammaro = MunicipalityFactory(region=region, code="1761", name="Hammarö")
    rector = _client(region, Role.RECTOR, hammaro)
    response = rector.get(_detail(world))
    assert response.status_code == 200
    text = _text(response)
    assert "146,083.33 kr" in text  # the region's totals
    assert "/betalare/" not in response.content.decode()  # no cell of Hammarö to open
    assert rector.get(_municipality(world, hammaro)).status_code == 200
