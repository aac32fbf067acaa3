"""Forms of admission rounds and of the applicant's answer to an offer. They parse input; the
rules live in admissions.rounds.services.rounds, whose ValidationErrors the views put back here."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from admissions.rounds.models import OfferAnswerKind, RoundKind
from yrkescenter.models import IntakePeriod


class RoundCreateForm(forms.Form):
    intake_period = forms.ModelChoiceField(
        label=_("Intake period"), queryset=IntakePeriod.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind of round"), choices=RoundKind.choices)
    answer_deadline = forms.DateField(
        label=_("Answer deadline"),
        help_text=_("Applicants who are offered a seat answer by this date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intake_period"].queryset = IntakePeriod.objects.for_region(region)
        # The region's answer time (set by its region admin) proposes the deadline.
        self.fields["answer_deadline"].initial = timezone.localdate() + dt.timedelta(
            days=region.answer_days
        )


class ResultSearchForm(forms.Form):
    reference = forms.CharField(label=_("Application reference"), max_length=32, required=False)


# What the applicant may answer (EXPIRED is the system's, never the applicant's).
ANSWER_CHOICES = [
    (OfferAnswerKind.ACCEPTED.value, _("Accept the seat")),
    (
        OfferAnswerKind.DECLINED.value,
        _("Decline this seat, but stay on the waiting lists of the courses I ranked higher"),
    ),
    (
        OfferAnswerKind.WITHDRAWN.value,
        _("Decline and withdraw my whole application"),
    ),
]


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=ANSWER_CHOICES, widget=forms.RadioSelect
    )
    confirm_withdraw = forms.BooleanField(
        label=_("I understand that withdrawing removes me from every course of this application"),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == OfferAnswerKind.WITHDRAWN and not cleaned.get(
            "confirm_withdraw"
        ):
            self.add_error(
                "confirm_withdraw", _("Confirm that you want to withdraw your application.")
            )
        return cleaned
