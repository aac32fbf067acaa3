"""Forms of the appeal pages: the applicant's appeal, and the officer's reconsideration and
record of the board's decision. They only parse; the rules are in admissions.appeals.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.appeals.models import BoardOutcome
from admissions.appeals.services import MAX_ATTACHMENTS, TEXT_MAX
from admissions.applications.forms.apply import _upload_help
from admissions.files import uploads

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to MAX_ATTACHMENTS files, each a PDF, JPEG or PNG within the size limit."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(AttachmentsField, self).clean(file, initial) for file in files]
        cleaned = [file for file in cleaned if file]
        if len(cleaned) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Attach at most %(max)s files.") % {"max": MAX_ATTACHMENTS}, code="too_many"
            )
        for file in cleaned:
            uploads.check_upload(file)
        return cleaned


class AppealForm(forms.Form):
    requested_change = forms.CharField(
        label=_("What do you want changed?"),
        help_text=_("For example: that I am found eligible and considered for the course."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    grounds = forms.CharField(
        label=_("Why should the decision be changed?"),
        help_text=_("Explain why you think the decision is wrong. Attach what supports it."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    files = AttachmentsField(label=_("Attachments (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext("Up to %(max)s files. %(types)s") % {
            "max": MAX_ATTACHMENTS,
            "types": _upload_help(),
        }


class ReconsiderForm(forms.Form):
    fully_changed = forms.TypedChoiceField(
        label=_("Does the new decision give the applicant what they asked for?"),
        choices=[
            ("yes", _("Yes, fully: the appeal lapses")),
            ("no", _("In part: the appeal still goes to the board")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=_("The new decision"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasons = forms.CharField(
        label=_("Grounds"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class BoardDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The board's decision"),
        choices=[("", _("Choose…")), *BoardOutcome.choices],
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("The board's reference"), max_length=64, required=False)
    note = forms.CharField(
        label=_("Summary for the applicant"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
