"""Credited courses on an applicant's study path (StudyPathCredit).

Another app decides what is credited (the validation centre, by a case's final results) and
calls this service with the whole current list for one source; admissions keeps the rows and
what they do to the study path and the settlement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from admissions.applications.models import Application
from admissions.enrolment.models import StudyPathCredit
from yrkescenter.models import Course


@dataclass(frozen=True)
class CreditSync:
    """What one sync changed: course codes newly credited and withdrawn."""

    credited: tuple[str, ...]
    withdrawn: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.credited or self.withdrawn)


@transaction.atomic
def study_path_credits_sync(
    *,
    acting_user: User | None,
    application: Application,
    courses: Iterable[Course],
    source_reference: str,
    reason: str = "",
) -> CreditSync:
    """Make the active credits from `source_reference` exactly `courses`: credit the ones not
    yet credited (at the course's points now) and withdraw those no longer given, with `reason`.
    Idempotent: the same list again changes nothing and writes no audit entry.

    A course already credited to the application from another source stays as it is (one
    active credit per course); it is not credited twice."""
    source_reference = source_reference.strip()
    if not source_reference:
        raise ValueError("A credit needs the reference of the decision it comes from")
    courses = {course.pk: course for course in courses}
    if any(course.region_id != application.region_id for course in courses.values()):
        raise ValidationError(_("Only courses of the application's region can be credited."))
    # Serialises syncs of one application, so two at once cannot credit a course twice.
    Application.objects.select_for_update().filter(pk=application.pk).first()
    active = list(
        StudyPathCredit.objects.filter(application=application, withdrawn_at__isnull=True)
        .select_related("course")
        .order_by("course__code")
    )
    from_source = {
        credit.course_id: credit for credit in active if credit.source_reference == source_reference
    }
    credited_elsewhere = {credit.course_id for credit in active} - set(from_source)

    withdrawn = [credit for course_id, credit in from_source.items() if course_id not in courses]
    now = timezone.now()
    for credit in withdrawn:
        credit.withdrawn_at = now
        credit.withdrawn_reason = reason or _("The result behind the credit was changed.")
        credit.save(update_fields=["withdrawn_at", "withdrawn_reason"])

    new = [
        StudyPathCredit(
            application=application,
            course=course,
            vp=course.points,
            source_reference=source_reference,
            recorded_by=acting_user if acting_user and acting_user.is_authenticated else None,
        )
        for course_id, course in sorted(courses.items(), key=lambda item: item[1].code)
        if course_id not in from_source and course_id not in credited_elsewhere
    ]
    StudyPathCredit.objects.bulk_create(new)

    result = CreditSync(
        credited=tuple(credit.course.code for credit in new),
        withdrawn=tuple(credit.course.code for credit in withdrawn),
    )
    if result.changed:
        audit_record(
            acting_user=acting_user,
            region=application.region,
            action="application.credits_sync",
            target=application,
            data={
                "source": source_reference,
                "credited": list(result.credited),
                "withdrawn": list(result.withdrawn),
            },
        )
    return result
