"""Write services of the intake office's review: eligibility and selection group per choice,
completion requests, notes and bulk actions. Each owns its transaction and writes the audit log
against the application, so the application's history shows every step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from admissions.applications.models import (
    Application,
    Choice,
    CompletionRequest,
    DocumentKind,
    EligibilityDecision,
    IneligibilityGround,
    Note,
    PriorEducation,
    SelectionGroup,
    SelectionGroupDecision,
    Situation,
)

# Prior education that leaves the applicant without an upper-secondary degree. Education from
# another country is left out on purpose: whether it is equivalent is for the officer to judge.
_WITHOUT_UPPER_SECONDARY = frozenset(
    {
        PriorEducation.COMPULSORY_INCOMPLETE,
        PriorEducation.COMPULSORY,
        PriorEducation.UPPER_SECONDARY_INCOMPLETE,
    }
)
# Someone on sick leave who needs a new occupation cannot go back to the old one: they are at
# risk of unemployment in the sense of group 3.
_UNEMPLOYED_OR_AT_RISK = frozenset({Situation.UNEMPLOYED, Situation.AT_RISK, Situation.SICK_LEAVE})


def selection_group_suggest(application: Application) -> SelectionGroup:
    """The selection group the application's own answers point to (förordning 2011:1108
    3 kap. 7 §). The groups are in order of priority, so the suggestion is the first one the
    answers support:

    - 1 (finish an existing study plan) is never suggested: the form does not ask about a study
      plan, the officer knows it from the municipality's records;
    - 2 when the highest completed education is below an upper-secondary degree
      (compulsory school, completed or not, or upper-secondary school not completed);
    - 3 when the applicant is unemployed, at risk of redundancy, or on sick leave needing a new
      occupation;
    - 4 when the applicant is employed;
    - 5 otherwise (a planned career).

    Pure: reads only the application's fields, writes nothing.
    """
    if application.prior_education in _WITHOUT_UPPER_SECONDARY:
        return SelectionGroup.NO_UPPER_SECONDARY
    if application.situation in _UNEMPLOYED_OR_AT_RISK:
        return SelectionGroup.UNEMPLOYED_OR_AT_RISK
    if application.situation == Situation.EMPLOYED:
        return SelectionGroup.CURRENT_JOB
    return SelectionGroup.PLANNED_CAREER


def _choice_data(choice: Choice) -> dict:
    return {"choice": choice.pk, "rank": choice.rank, "offering": choice.offering_id}


@transaction.atomic
def eligibility_decide(
    *,
    acting_user: User,
    choice: Choice,
    eligible: bool,
    ground: str = "",
    explanation: str = "",
) -> EligibilityDecision:
    """Record the eligibility of one choice. A correction is a new row: the latest one counts.
    Not eligible needs a ground from the fixed list and an explanation in words."""
    explanation = explanation.strip()
    if eligible:
        ground = ""
    else:
        errors = {}
        if ground not in IneligibilityGround.values:
            errors["ground"] = _("Choose the ground for the decision.")
        if not explanation:
            errors["explanation"] = _("Explain the decision in your own words.")
        if errors:
            raise ValidationError(errors)
    decision = EligibilityDecision.objects.create(
        choice=choice,
        eligible=eligible,
        ground=ground,
        explanation=explanation,
        decided_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=choice.application.region,
        action="choice.eligibility",
        target=choice.application,
        data={**_choice_data(choice), "eligible": eligible, "ground": ground},
    )
    return decision


@transaction.atomic
def selection_group_decide(
    *, acting_user: User, choice: Choice, group: int, evidence: str
) -> SelectionGroupDecision:
    """Record the selection group of one choice with the evidence it rests on, next to what the
    system suggested, so a later reader sees when the officer departed from the suggestion."""
    evidence = evidence.strip()
    errors = {}
    if group not in SelectionGroup.values:
        errors["group"] = _("Choose a selection group from 1 to 5.")
    if not evidence:
        errors["evidence"] = _("Say what the selection group rests on.")
    if errors:
        raise ValidationError(errors)
    suggested = selection_group_suggest(choice.application)
    decision = SelectionGroupDecision.objects.create(
        choice=choice,
        group=group,
        suggested_group=suggested,
        evidence=evidence,
        decided_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=choice.application.region,
        action="choice.selection_group",
        target=choice.application,
        data={**_choice_data(choice), "group": int(group), "suggested": int(suggested)},
    )
    return decision


@transaction.atomic
def note_add(*, acting_user: User, application: Application, text: str) -> Note:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    note = Note.objects.create(application=application, text=text, author=acting_user)
    # The text stays out of the log: a note may hold personal details.
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="application.note",
        target=application,
        data={"note": note.pk},
    )
    return note


def _checked_request(missing: Sequence[str], deadline: dt.date) -> list[str]:
    errors = {}
    kinds = [kind for kind in DocumentKind.values if kind in set(missing)]
    if not kinds or len(set(missing)) != len(kinds):
        errors["missing"] = _("Choose what is missing.")
    if deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    return kinds


def _create_request(
    acting_user: User, application: Application, kinds: list[str], deadline: dt.date, message: str
) -> CompletionRequest:
    request = CompletionRequest.objects.create(
        application=application,
        missing=kinds,
        deadline=deadline,
        message=message,
        requested_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="application.completion_request",
        target=application,
        data={"request": request.pk, "missing": kinds, "deadline": deadline.isoformat()},
    )
    # After commit: a rolled-back request must not reach the applicant.
    transaction.on_commit(lambda: _send_completion_email(request.pk))
    return request


@transaction.atomic
def completion_request_create(
    *,
    acting_user: User,
    application: Application,
    missing: Sequence[str],
    deadline: dt.date,
    message: str = "",
) -> CompletionRequest:
    """Ask the applicant for what is missing by a deadline. The application counts as incomplete
    until the request is answered; the applicant gets an e-mail with the reference number."""
    kinds = _checked_request(missing, deadline)
    return _create_request(acting_user, application, kinds, deadline, message.strip())


_EMAIL = "admissions/intake/email/completion_request"


def _send_completion_email(request_pk: int) -> None:
    request = CompletionRequest.objects.select_related(
        "application__region", "application__applicant"
    ).get(pk=request_pk)
    application = request.application
    applicant = application.applicant
    recipient = application.email or (applicant.email if applicant else "")
    if not recipient:
        # A paper application without an address: the office contacts the person another way.
        return
    language = (applicant.preferred_language if applicant else "") or application.region.language
    host = application.region.hosts.values_list("host", flat=True).first()
    login_url = f"https://{host}{reverse('account_login')}" if host else ""
    with translation.override(language):
        context = {
            "reference": application.reference,
            "region": application.region.name,
            "missing": [DocumentKind(kind).label for kind in request.missing],
            "deadline": request.deadline,
            "message": request.message,
            "login_url": login_url,
        }
        subject = render_to_string(f"{_EMAIL}_subject.txt", context)
        body = render_to_string(f"{_EMAIL}_message.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [recipient])


# --- bulk actions: one transaction, one audit entry per application --------------------------


def bulk_eligible_preview(applications: Iterable[Application]) -> dict[int, list[Choice]]:
    """The choices that marking these applications eligible would change (those not already
    eligible), per application pk. The applications' choices must be prefetched with their
    eligibility decisions (see review_selectors.bulk_selection)."""
    return {
        application.pk: [
            choice for choice in application.choices.all() if not _currently_eligible(choice)
        ]
        for application in applications
    }


def _currently_eligible(choice: Choice) -> bool:
    decisions = list(choice.eligibility.all())
    return bool(decisions) and decisions[0].eligible


@transaction.atomic
def bulk_mark_eligible(*, acting_user: User, applications: Sequence[Application]) -> int:
    """Mark every choice of the applications eligible, skipping choices already eligible.
    Returns how many decisions were added."""
    changes = bulk_eligible_preview(applications)
    decisions = [
        EligibilityDecision(choice=choice, eligible=True, decided_by=acting_user)
        for choices in changes.values()
        for choice in choices
    ]
    EligibilityDecision.objects.bulk_create(decisions)
    for application in applications:
        changed = changes[application.pk]
        if changed:
            audit_record(
                acting_user=acting_user,
                region=application.region,
                action="choice.eligibility",
                target=application,
                data={
                    "bulk": True,
                    "eligible": True,
                    "choices": [choice.pk for choice in changed],
                },
            )
    return len(decisions)


@transaction.atomic
def bulk_request_completion(
    *,
    acting_user: User,
    applications: Sequence[Application],
    missing: Sequence[str],
    deadline: dt.date,
    message: str = "",
) -> list[CompletionRequest]:
    """The same completion request to each application; each applicant gets their e-mail."""
    kinds = _checked_request(missing, deadline)
    return [
        _create_request(acting_user, application, kinds, deadline, message.strip())
        for application in applications
    ]
