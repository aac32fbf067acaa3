"""Forms of the centre's enrolment records. They parse input; the rules live in
admissions.enrolment.services, whose ValidationErrors the views put back here. Field names are
the services' keyword arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from admissions.enrolment.models import EnrolmentStatus, InterruptionReason


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _with_blank(choices, label):
    return [("", label), *choices]


class EnrolmentStartForm(forms.Form):
    started_on = _date(_("Start date"))


class EnrolmentInterruptForm(forms.Form):
    ended_on = _date(_("Last day"))
    reason = forms.ChoiceField(
        label=_("Reason for stopping"),
        choices=_with_blank(InterruptionReason.choices, _("Choose a reason")),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Only what the follow-up needs. The applicant does not see the note."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EnrolmentCompleteForm(forms.Form):
    ended_on = _date(_("Completion date"))


class EnrolmentCorrectForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EnrolmentStatus.choices)
    started_on = _date(_("Start date"))
    ended_on = _date(
        _("End date"),
        required=False,
        help_text=_("The last day for a student who stopped early, or the completion date."),
    )
    interruption_reason = forms.ChoiceField(
        label=_("Reason for stopping"),
        required=False,
        choices=_with_blank(InterruptionReason.choices, _("Not stopped early")),
    )
    interruption_note = forms.CharField(
        label=_("Note on stopping"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Why is the record corrected?"),
        max_length=1000,
        help_text=_("Kept in the audit log with the record as it was."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EnrolmentAnnulForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the start removed?"),
        max_length=1000,
        help_text=_("Kept in the audit log with the record as it was."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
