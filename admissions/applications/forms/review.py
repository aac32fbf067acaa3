"""Forms of the intake office's review. They parse input; the rules live in
admissions.applications.services.review, whose ValidationErrors the views put back on these
forms."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from admissions.applications.models import (
    ApplicationStatus,
    DocumentKind,
    IneligibilityGround,
    SelectionGroup,
)
from admissions.applications.selectors.review import DEFAULT_SORT, PAGE_SIZES, SORTS, QueueFilters
from yrkescenter.models import IntakePeriod, Municipality, Offering, Yrkescenter

_SORT_LABELS = {
    "reference": _("Reference"),
    "name": _("Name"),
    "submitted": _("Submitted"),
    "municipality": _("Home municipality"),
}


def _sort_choices():
    choices = []
    for key in SORTS:
        label = _SORT_LABELS[key]
        choices.append((key, _("%(field)s, ascending") % {"field": label}))
        choices.append((f"-{key}", _("%(field)s, descending") % {"field": label}))
    return choices


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string (nothing personal goes there: the
    search term travels by POST, see SearchForm)."""

    intake_period = forms.ModelChoiceField(
        label=_("Intake period"), queryset=IntakePeriod.objects.none(), required=False
    )
    centre = forms.ModelChoiceField(
        label=_("Centre"), queryset=Yrkescenter.objects.none(), required=False
    )
    offering = forms.ModelChoiceField(
        label=_("Offering"), queryset=Offering.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Submitted or withdrawn")), *ApplicationStatus.choices],
        required=False,
    )
    municipality = forms.ModelChoiceField(
        label=_("Home municipality"), queryset=Municipality.objects.none(), required=False
    )
    selection_group = forms.TypedChoiceField(
        label=_("Selection group (any choice)"),
        choices=[("", _("Any")), *SelectionGroup.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    missing_documents = forms.BooleanField(
        label=_("Only applications with missing documents"), required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=_sort_choices, required=False)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(size, size) for size in PAGE_SIZES],
        coerce=int,
        empty_value=PAGE_SIZES[0],
        required=False,
    )

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intake_period"].queryset = IntakePeriod.objects.for_region(region)
        self.fields["centre"].queryset = Yrkescenter.objects.for_region(region)
        self.fields["offering"].queryset = Offering.objects.for_region(region).select_related(
            "programme", "centre"
        )
        self.fields["municipality"].queryset = Municipality.objects.for_region(region)

    def filters(self, search: str = "") -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}

        def pk(name):
            value = data.get(name)
            return value.pk if value is not None else None

        return QueueFilters(
            intake_period=pk("intake_period"),
            centre=pk("centre"),
            offering=pk("offering"),
            status=data.get("status", ""),
            missing_documents=data.get("missing_documents", False),
            municipality=pk("municipality"),
            selection_group=data.get("selection_group"),
            search=search,
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def page_size(self) -> int:
        if self.is_valid() and self.cleaned_data.get("per_page"):
            return self.cleaned_data["per_page"]
        return PAGE_SIZES[0]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, reference or identity number"),
        max_length=100,
        required=False,
    )


class EligibilityForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Eligibility"),
        choices=[("yes", _("Eligible")), ("no", _("Not eligible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    ground = forms.ChoiceField(
        label=_("Ground (when not eligible)"),
        choices=[("", "—"), *IneligibilityGround.choices],
        required=False,
    )
    explanation = forms.CharField(
        label=_("Explanation (when not eligible)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("eligible") is False:
            if not cleaned.get("ground"):
                self.add_error("ground", _("Choose the ground for the decision."))
            if not (cleaned.get("explanation") or "").strip():
                self.add_error("explanation", _("Explain the decision in your own words."))
        return cleaned


class SelectionGroupForm(forms.Form):
    group = forms.TypedChoiceField(
        label=_("Selection group"),
        choices=SelectionGroup.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        help_text=_("What the group rests on, e.g. a certificate from Arbetsförmedlingen."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 3}))


class CompletionRequestForm(forms.Form):
    missing = forms.MultipleChoiceField(
        label=_("What is missing"),
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        help_text=_("Sent by e-mail and shown on the applicant's status page."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class BulkSelectionForm(forms.Form):
    """The applications ticked in the queue and the action asked for."""

    MARK_ELIGIBLE = "mark_eligible"
    REQUEST_COMPLETION = "request_completion"

    applications = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Tick at least one application.")}
    )
    action = forms.ChoiceField(
        choices=[
            (MARK_ELIGIBLE, _("Mark all choices eligible")),
            (REQUEST_COMPLETION, _("Request completion")),
        ]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the view keeps only those in the user's scope.
        self.fields["applications"].valid_value = lambda value: str(value).isdigit()
