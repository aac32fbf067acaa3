"""Demo cases of the validation centre, for trying the assessor's pages out: one case at each
step, made through the services so they follow the real rules. Synthetic people only; their
identity numbers are built with serials in the 900s, which the demo applicants do not use.

Called by the demo seed after the region, its standards and the demo users exist; running it
again adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from admissions.applications import personnummer as pnr
from validation import services
from validation.models import (
    CaseSource,
    CompetenceStandard,
    Method,
    Outcome,
    ValidationCase,
)
from validation.selectors import region_assessors
from yrkescenter.models import Municipality


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    # The next weekday, so demo appointments fall in working hours.
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def validation_demo_seed(*, acting_user: User | None = None, region: Region) -> int:
    """Five cases in the region: a referral waiting for mapping, an employer's case with an
    appointment next week, a four-eyes case waiting for a second assessor's sign-off, a decided
    case and a closed one. Returns how many cases were made (0 when the region has cases
    already, no standards or no assessor)."""
    if ValidationCase.objects.for_region(region).exists():
        return 0
    standards = {s.code: s for s in CompetenceStandard.objects.for_region(region)}
    assessor = region_assessors(region).first()
    wanted = {"svetsare", "cnc-operator", "industrielektriker", "processoperator"}
    if assessor is None or not wanted <= set(standards):
        return 0
    by = acting_user or assessor
    municipalities = {m.code: m for m in Municipality.objects.for_region(region)}

    def open_case(code, source, first, last, referrer, description, home, days_ago, serial):
        born = dt.date(1975 + serial % 20, 1 + serial % 12, 1 + serial % 27)
        return services.case_open(
            acting_user=by,
            region=region,
            standard=standards[code],
            source=source,
            first_name=first,
            last_name=last,
            personnummer=pnr.build(born, 900 + serial),
            home_municipality=municipalities.get(home),
            referrer=referrer,
            description=description,
            requested_at=timezone.now() - dt.timedelta(days=days_ago),
        )

    def map_all(case):
        return services.case_map(
            acting_user=assessor, case=case, areas=case.standard.areas.order_by("position")
        )

    def record(case, outcomes):
        for area in case.standard.areas.order_by("position"):
            services.result_record(
                acting_user=assessor,
                case=case,
                area=area,
                outcome=outcomes.get(area.code, Outcome.VALIDATED),
                evidence="Bedömt enligt branschens mall; dokumentation i akten.",
                method=area.method,
            )

    open_case(
        "svetsare",
        CaseSource.ARBETSFORMEDLINGEN,
        "Yusuf",
        "Demir",
        "Arbetsförmedlingen Karlstad",
        "Svetsade tolv år på ett varv i Izmir, MIG/MAG och TIG.",
        "1780",
        3,
        1,
    )
    booked = map_all(
        open_case(
            "cnc-operator",
            CaseSource.EMPLOYER,
            "Marie",
            "Lindqvist",
            "Verkstadsbolaget i Hagfors AB",
            "Operatör i manuella svarvar; företaget byter till CNC-celler.",
            "1783",
            10,
            2,
        )
    )
    services.appointment_book(
        acting_user=assessor,
        case=booked,
        starts_at=_at(7, 9),
        ends_at=_at(7, 12),
        place="Yrkescenter Hagfors, CNC-verkstaden",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )
    waiting = map_all(
        open_case(
            "industrielektriker",
            CaseSource.ARBETSFORMEDLINGEN,
            "Olena",
            "Kovalenko",
            "Arbetsförmedlingen Arvika",
            "Elektriker i Charkiv i åtta år, industriinstallationer.",
            "1784",
            20,
            3,
        )
    )
    record(waiting, {"elkraft": Outcome.NOT_VALIDATED})
    decided = map_all(
        open_case(
            "processoperator",
            CaseSource.EMPLOYER,
            "Jonas",
            "Eriksson",
            "Pappersbruket i Grums",
            "Fem år som processoperatör i ett massabruk.",
            "1764",
            40,
            4,
        )
    )
    record(decided, {"kemi": Outcome.NOT_VALIDATED})
    services.case_decide(acting_user=assessor, case=decided)
    closed = open_case(
        "svetsare",
        CaseSource.SELF,
        "Ali",
        "Hassan",
        "",
        "Har svetsat hemma och vill veta var han står.",
        "1781",
        30,
        5,
    )
    services.case_close(
        acting_user=assessor, case=closed, reason="Fick anställning och avböjde validering."
    )
    return 5


def seed_part(*, region: Region) -> str:
    """seed_demo's hook (see admissions/management/commands/seed_demo.py)."""
    created = validation_demo_seed(region=region)
    return f"Validation centre: {created} demo cases created." if created else ""
