"""Approving (fastställa) a term's cost settlement: the records and digest of its lines, the
approve service and its refusals, versions that keep their snapshot, what changed since, and
who sees what of it. Figures are those of settlement_support.py (HT 2026: 146 083.33 kr paid by
home municipalities for 5 paying students)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import threading
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.funding.models import SettlementApproval
from admissions.funding.selectors import approvals_of, latest_approval
from admissions.funding.services import settlement_approve
from admissions.funding.settlement import (
    Scope,
    approval_changes,
    approved_settlement,
    line_record,
    matrix_for,
    settlement_digest,
    settlement_of,
    settlement_records,
)
from tests.admissions.intake_support import staff_client
from tests.admissions.settlement_support import enrol, small_region
from tests.conftest import need_service
from tests.factories import IntakePeriodFactory, MembershipFactory
from yrkescenter.models import Price

TOTAL = Decimal("146083.33")


@pytest.fixture
def world(region):
    return small_region(region)


@pytest.fixture
def admin(region):
    return MembershipFactory(region=region, role=Role.REGION_ADMIN).user


def _client(region, role, municipality=None):
    scope = {"scope_municipality": municipality} if municipality is not None else {}
    return staff_client(region, role=role, **scope)


def _text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return unescape(re.sub(r"\s+", " ", text))


def _detail(world):
    return reverse("admissions:settlement_detail", args=[world.period.pk])


def _approve_url(world):
    return reverse("admissions:settlement_approve", args=[world.period.pk])


def _version_url(world, version):
    return reverse("admissions:settlement_approval", args=[world.period.pk, version])


def _approve(user, world, note=""):
    return settlement_approve(
        acting_user=user,
        period=world.period,
        note=note,
        digest=settlement_digest(settlement_of(world.period)),
    )


def _stop_s4_early(world):
    # s4 (Kil, at Karlstad from 08-19) stops after 60 of the offering's 120 days: 400 vp x 60.
    Enrolment.objects.filter(pk=world.students["s4"].pk).update(
        status=EnrolmentStatus.INTERRUPTED,
        ended_on=dt.date(2026, 10, 18),
        interruption_reason="work",
    )


# --- records and digest ---------------------------------------------------------------------


def test_a_record_holds_the_figures_of_its_line_and_no_person(world):
    settlement = settlement_of(world.period)
    (s6,) = [ln for ln in settlement.lines if ln.reference == "HEM-S6"]

    record = line_record(s6)

    assert record == {
        "enrolment_id": world.students["s6"].pk,
        "reference": "HEM-S6",
        "home_id": world.kil.pk,
        "home_code": "1715",
        "home_name": "Kil",
        "host_id": world.arvika.pk,
        "host_code": "1784",
        "host_name": "Arvika",
        "funding": "municipal",
        "status": "interrupted",
        "vp_charged": str(Decimal(400) * Decimal(10) / Decimal(144)),
        "unit": "per_week",
        "unit_price": "1500.00",
        "amount": "2083.33",
        "problem": "",
    }
    application = world.application("s6")
    values = " ".join(str(value) for value in record.values())
    assert application.last_name not in values and application.first_name not in values
    assert application.personnummer not in values


def test_the_records_are_the_terms_lines_in_order_of_enrolment(world):
    records = settlement_records(settlement_of(world.period))
    ids = [record["enrolment_id"] for record in records]
    assert ids == sorted(world.students[name].pk for name in world.students if name != "s9")


def test_the_digest_is_stable_and_changes_with_an_amount(world):
    first = settlement_digest(settlement_of(world.period))
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert settlement_digest(settlement_of(world.period)) == first

    Price.objects.filter(programme=world.svetsare).update(amount=Decimal("61.00"))

    assert settlement_digest(settlement_of(world.period)) != first


def test_an_approved_settlement_sums_to_the_live_matrix(world):
    live = settlement_of(world.period)
    approved = approved_settlement(world.period, settlement_records(live))

    assert approved.total == live.total
    assert approved.cells == live.cells
    assert approved.row_totals == live.row_totals
    assert approved.column_totals == live.column_totals
    kil_scope = Scope(municipality_id=world.kil.pk)
    assert matrix_for(approved, kil_scope).hidden == matrix_for(live, kil_scope).hidden


# --- the service ----------------------------------------------------------------------------


def test_approving_stores_version_1_with_the_hand_computed_total(world, admin):
    approval = _approve(admin, world, note="  Skickad till ekonomikontoren.  ")

    assert approval.version == 1
    assert approval.total_amount == TOTAL
    assert approval.payable_students == 5  # s1 outside, s3 s4 s6 s7 municipal
    assert approval.note == "Skickad till ekonomikontoren."
    assert approval.approved_by == admin
    settlement = settlement_of(world.period)
    assert approval.digest == settlement_digest(settlement)
    approval.refresh_from_db()
    assert approval.lines == settlement_records(settlement)
    assert latest_approval(world.period) == approval


def test_a_stale_digest_is_refused(world, admin):
    digest = settlement_digest(settlement_of(world.period))
    _stop_s4_early(world)

    with pytest.raises(ValidationError) as refused:
        settlement_approve(acting_user=admin, period=world.period, note="", digest=digest)

    assert refused.value.messages == [
        "The figures changed after you opened the page: check them and approve again."
    ]
    assert not SettlementApproval.objects.exists()


def test_lines_that_cannot_be_priced_refuse_the_approval(world, admin):
    Price.objects.filter(programme=world.cnc).delete()  # s6 and s7 lose their price

    with pytest.raises(ValidationError) as refused:
        _approve(admin, world)

    assert refused.value.messages == ["2 lines cannot be priced: put the prices right first."]
    assert not SettlementApproval.objects.exists()


def test_a_term_without_students_has_nothing_to_approve(world, admin):
    Enrolment.objects.filter(offering__intake_period=world.period).delete()

    with pytest.raises(ValidationError) as refused:
        _approve(admin, world)

    assert refused.value.messages == [
        "No student has started this term: there is nothing to approve yet."
    ]
    assert not SettlementApproval.objects.exists()


def test_approving_an_unchanged_settlement_again_is_refused(world, admin):
    _approve(admin, world)

    with pytest.raises(ValidationError) as refused:
        _approve(admin, world)

    assert refused.value.messages == ["Already approved as version 1; nothing has changed since."]
    assert SettlementApproval.objects.count() == 1


def test_approving_after_a_change_gives_version_2_and_keeps_version_1(world, admin):
    first = _approve(admin, world)
    kept = copy.deepcopy(SettlementApproval.objects.get(pk=first.pk).lines)
    _stop_s4_early(world)

    second = _approve(admin, world)

    assert second.version == 2
    # 146 083.33 - 48 000 + 24 000 (s4: 60/120 days of 800 vp x 60 kr).
    assert second.total_amount == Decimal("122083.33")
    first.refresh_from_db()
    assert first.lines == kept
    assert first.total_amount == TOTAL
    assert [a.version for a in approvals_of(world.period)] == [2, 1]
    assert not approval_changes(second, settlement_of(world.period)).count


def test_only_a_region_admin_of_the_region_approves(world, region, foreign_region):
    rector = MembershipFactory(region=region, role=Role.RECTOR, scope_municipality=world.kil).user
    foreign_admin = MembershipFactory(region=foreign_region, role=Role.REGION_ADMIN).user

    for user in (rector, foreign_admin):
        with pytest.raises(PermissionDenied):
            _approve(user, world)

    assert not SettlementApproval.objects.exists()


def test_the_audit_entry_has_the_figures_and_no_names(world, admin):
    approval = _approve(admin, world, note="Godkänd av Kalle Anka")

    entry = AuditEntry.objects.get(action="settlement.approve")
    assert entry.data == {
        "version": 1,
        "digest": approval.digest,
        "payable_students": 5,
        "total_amount": "146083.33",
    }
    assert entry.user == admin
    assert entry.object_id == str(world.period.pk)
    logged = str(entry.data) + entry.object_repr
    for enrolment in world.students.values():
        assert enrolment.application.last_name not in logged
    assert "Kalle" not in logged


def test_changes_are_found_by_enrolment(world, admin):
    approval = _approve(admin, world)
    _stop_s4_early(world)
    world.students["s7"].delete()
    added = enrol(world.o1, world.kil, started_on=dt.date(2026, 8, 20), reference="HEM-S8")

    changes = approval_changes(approval, settlement_of(world.period))

    assert [line.enrolment_id for line in changes.added] == [added.pk]
    assert [record["reference"] for record in changes.removed] == ["HEM-S7"]
    assert [(record["amount"], line.amount) for record, line in changes.changed] == [
        ("48000.00", Decimal("24000.00"))
    ]
    assert changes.count == 3


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_give_one_version_and_one_clear_refusal(region):
    if connection.vendor != "postgresql":
        need_service("two approvals at once need PostgreSQL's row locks (DATABASE_URL)")
    world = small_region(region)
    admins = [MembershipFactory(region=region, role=Role.REGION_ADMIN).user for _ in range(2)]
    digest = settlement_digest(settlement_of(world.period))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        translation.activate("en")
        try:
            barrier.wait()
            approval = settlement_approve(
                acting_user=user, period=world.period, note="", digest=digest
            )
            outcomes.append(f"version {approval.version}")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        except BaseException as error:  # an IntegrityError would land here
            outcomes.append(type(error).__name__)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [
        "Already approved as version 1; nothing has changed since.",
        "version 1",
    ]
    assert list(SettlementApproval.objects.values_list("version", flat=True)) == [1]


# --- the pages ------------------------------------------------------------------------------


def test_a_region_admin_approves_from_the_detail_page(world, region):
    client = _client(region, Role.REGION_ADMIN)
    page = client.get(_detail(world))
    assert "Preliminary: not approved." in _text(page)
    digest = settlement_digest(settlement_of(world.period))
    assert f'name="digest" value="{digest}"' in page.content.decode()

    response = client.post(
        _approve_url(world), {"digest": digest, "note": "Till ekonomi"}, follow=True
    )

    assert response.redirect_chain[-1][0] == _detail(world)
    text = _text(response)
    assert "The settlement is approved as version 1." in text
    name = client.user.full_name
    assert re.search(
        rf"Approved as version 1 on .+ by {re.escape(name)}: 146,083.33 kr for 5 paying "
        r"students\.",
        text,
    )
    assert "Changed since" not in text
    assert _version_url(world, 1) in response.content.decode()
    # Nothing to approve again until the figures change: no form.
    assert _approve_url(world) not in response.content.decode()
    approval = SettlementApproval.objects.get()
    assert approval.note == "Till ekonomi" and approval.approved_by == client.user

    index = _text(client.get(reverse("admissions:settlement_index")))
    assert "Version 1, approved" in index
    assert "Preliminary" in index  # VT 2026 is not approved


def test_a_refused_approval_keeps_the_note_and_shows_why(world, region):
    client = _client(region, Role.REGION_ADMIN)
    stale = settlement_digest(settlement_of(world.period))
    _stop_s4_early(world)

    response = client.post(_approve_url(world), {"digest": stale, "note": "Till ekonomi"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "The figures changed after you opened the page: check them and approve again." in (
        _text(response)
    )
    assert "Till ekonomi</textarea>" in html
    # The form now carries the figures on screen, so approving them again goes through.
    live = settlement_digest(settlement_of(world.period))
    assert f'name="digest" value="{live}"' in html
    assert not SettlementApproval.objects.exists()


def test_the_detail_page_shows_what_changed_to_each_role(world, region, admin):
    _approve(admin, world)
    _stop_s4_early(world)

    text = _text(_client(region, Role.REGION_ADMIN).get(_detail(world)))
    assert "Changed since version 1: 1 student's line added, changed or removed" in text
    assert "HEM-S4 Kil (1715) → Karlstad (1780) changed 48,000.00 kr" in text
    assert "24,000.00 kr" in text
    assert "Approve these figures as a new version" in text

    # Kil's rector sees its resident; Arvika's rector the count only.
    kil = _text(_client(region, Role.RECTOR, world.kil).get(_detail(world)))
    assert "Changed since version 1" in kil and "HEM-S4 Kil (1715) → Karlstad (1780)" in kil
    arvika = _text(_client(region, Role.RECTOR, world.arvika).get(_detail(world)))
    assert "Changed since version 1: 1 student's line" in arvika
    assert "HEM-S4" not in arvika

    # Council members: the count (suppressed under five), never a student.
    council_client = _client(region, Role.COUNCIL_MEMBER)
    council = _text(council_client.get(_detail(world)))
    assert "Changed since version 1: <5 students' lines added, changed or removed" in council
    assert "HEM-S" not in council
    assert "146,083.33 kr for 5 paying students" in council
    assert _version_url(world, 1) not in council_client.get(_detail(world)).content.decode()
    # Nobody but a region admin gets the form.
    for page in (kil, arvika, council):
        assert "Approve these figures" not in page and "Approve the settlement" not in page


def test_a_removed_student_is_listed_by_the_records_home_and_host(world, region, admin):
    _approve(admin, world)
    world.students["s7"].delete()  # Karlstad -> Arvika, 30 000

    admin_text = _text(_client(region, Role.REGION_ADMIN).get(_detail(world)))
    assert "HEM-S7 Karlstad (1780) → Arvika (1784) removed 30,000.00 kr" in admin_text
    assert "HEM-S7" in _text(_client(region, Role.RECTOR, world.arvika).get(_detail(world)))
    assert "HEM-S7" not in _text(_client(region, Role.RECTOR, world.kil).get(_detail(world)))


def test_a_rector_cannot_approve(world, region):
    client = _client(region, Role.RECTOR, world.kil)
    digest = settlement_digest(settlement_of(world.period))

    assert client.post(_approve_url(world), {"digest": digest}).status_code == 403
    assert _client(region, Role.COUNCIL_MEMBER).post(_approve_url(world)).status_code == 403
    assert not SettlementApproval.objects.exists()


def test_the_approve_url_takes_only_posts(world, region):
    assert _client(region, Role.REGION_ADMIN).get(_approve_url(world)).status_code == 405


def test_the_version_page_shows_a_rector_their_cells_and_the_totals(world, region, admin):
    _approve(admin, world, note="Första utskicket")
    _stop_s4_early(world)
    _approve(admin, world)

    response = _client(region, Role.RECTOR, world.kil).get(_version_url(world, 1))

    assert response.status_code == 200
    text = _text(response)
    assert "Första utskicket" in text
    assert "146,083.33 kr for 5 paying students" in text
    # Kil's row in version 1: 48 000 to Karlstad (s4 before it stopped) + 2 083.33 to Arvika.
    assert "48,000.00 kr" in text and "50,083.33 kr" in text
    # Not Kil's: Karlstad -> Arvika 30 000; summed into the hidden figure with s1 and s3.
    assert "30,000.00" not in text
    assert "The cells not shown, together: 96,000.00 kr for 3 paying students." in text
    assert "HEM-S" not in text
    assert _version_url(world, 2) in response.content.decode()

    version_2 = _text(_client(region, Role.REGION_ADMIN).get(_version_url(world, 2)))
    assert "122,083.33 kr for 5 paying students" in version_2
    assert "30,000.00 kr" in version_2


def test_council_members_get_403_on_a_version_page(world, region, admin):
    _approve(admin, world)
    assert _client(region, Role.COUNCIL_MEMBER).get(_version_url(world, 1)).status_code == 403


def test_a_missing_version_and_another_regions_term_are_404(world, region, admin, foreign_region):
    _approve(admin, world)
    foreign = IntakePeriodFactory(region=foreign_region)
    foreign_admin = MembershipFactory(region=foreign_region, role=Role.REGION_ADMIN).user
    SettlementApproval.objects.create(
        intake_period=foreign,
        version=1,
        approved_by=foreign_admin,
        digest="0" * 64,
        payable_students=0,
        total_amount=Decimal(0),
        lines=[],
    )
    client = _client(region, Role.REGION_ADMIN)

    assert client.get(_version_url(world, 2)).status_code == 404
    foreign_version = reverse("admissions:settlement_approval", args=[foreign.pk, 1])
    assert client.get(foreign_version).status_code == 404
    foreign_approve = reverse("admissions:settlement_approve", args=[foreign.pk])
    assert client.post(foreign_approve, {"digest": "0" * 64}).status_code == 404
    assert SettlementApproval.objects.filter(intake_period=foreign).count() == 1


# --- exports of an approved version -------------------------------------------------------------


def _version_export(client, world, version, file_format):
    url = reverse(
        "admissions:settlement_approval_export", args=[world.period.pk, version, file_format]
    )
    return client.post(url)


def _csv(response) -> list[dict]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_a_version_exports_its_figures_as_approved_not_as_they_are_now(world, region, admin):
    _approve(admin, world)
    _stop_s4_early(world)  # now 24 000; version 1 said 48 000
    client = _client(region, Role.REGION_ADMIN)

    response = _version_export(client, world, 1, "csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="avrakning-{world.period.code}-v1.csv"'
    )
    rows = {row["Reference"]: row for row in _csv(response)}
    assert set(rows) == {f"HEM-S{n}" for n in range(1, 8)}
    assert rows["HEM-S4"]["Amount (SEK)"] == "48000,00"
    assert rows["HEM-S4"]["Status"] == "Studying"
    assert rows["HEM-S1"]["Funding"] == "Outside the agreement"
    assert "Name" not in rows["HEM-S4"]
    content = response.content.decode("utf-8-sig")
    for enrolment in world.students.values():
        assert enrolment.application.personnummer not in content
        assert enrolment.application.last_name not in content
    entry = AuditEntry.objects.get(action="settlement.approval_export")
    assert entry.data == {"version": 1, "format": "csv", "rows": 7, "municipality": ""}


def test_a_rector_exports_the_lines_of_their_municipality(world, region, admin):
    _approve(admin, world)
    client = _client(region, Role.RECTOR, world.kil)

    response = _version_export(client, world, 1, "csv")

    assert response["Content-Disposition"] == (
        f'attachment; filename="avrakning-{world.period.code}-v1-1715.csv"'
    )
    # Kil's residents; no student studies at a centre in Kil.
    assert [row["Reference"] for row in _csv(response)] == ["HEM-S2", "HEM-S4", "HEM-S6"]


def test_the_spreadsheet_of_a_version_holds_its_students_and_matrix(world, region, admin):
    _approve(admin, world)
    response = _version_export(_client(region, Role.REGION_ADMIN), world, 1, "xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    students, matrix = workbook.worksheets
    assert students.max_row == 1 + 7
    assert (
        matrix["A1"].value == "Amounts paid by the home municipality to the host municipality (SEK)"
    )


def test_a_version_export_takes_only_posts_and_not_council_members(world, region, admin):
    _approve(admin, world)
    url = reverse("admissions:settlement_approval_export", args=[world.period.pk, 1, "csv"])
    assert _client(region, Role.REGION_ADMIN).get(url).status_code == 405
    assert _client(region, Role.COUNCIL_MEMBER).post(url).status_code == 403
    assert _client(region, Role.REGION_ADMIN).post(url.replace("/1/", "/2/")).status_code == 404
