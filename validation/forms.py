"""Forms of the validation centre's pages. They parse input; the rules live in
validation.services, whose ValidationErrors the views put back on these forms."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, User
from validation.models import (
    CaseSource,
    CaseStatus,
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
)
from validation.selectors import MINE, QueueFilters, region_assessors, standards_of
from validation.services import DIRECT_SOURCES
from yrkescenter.models import Municipality


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.full_name or user.email


# --- the queue -------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string (the name search travels by POST)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open (mapping or assessment)")), *CaseStatus.choices],
        required=False,
    )
    standard = forms.ModelChoiceField(
        label=_("Standard"), queryset=CompetenceStandard.objects.none(), required=False
    )
    source = forms.ChoiceField(
        label=_("Opened from"), choices=[("", _("Any")), *CaseSource.choices], required=False
    )
    assessor = forms.ChoiceField(label=_("Responsible assessor"), required=False)

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards_of(region)
        self.fields["assessor"].choices = [
            ("", _("Anyone")),
            (MINE, _("Mine")),
            *((str(user.pk), user.full_name or user.email) for user in region_assessors(region)),
        ]

    def filters(self, search: str = "") -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        standard = data.get("standard")
        return QueueFilters(
            status=data.get("status", ""),
            standard=standard.pk if standard else None,
            source=data.get("source", ""),
            assessor=data.get("assessor", ""),
            search=search,
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or reference"),
        help_text=_("Identity numbers are not searched here."),
        max_length=100,
        required=False,
    )


# --- opening a case --------------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    """A case opened directly: a referral or an employer's request."""

    standard = forms.ModelChoiceField(
        label=_("Competence standard"), queryset=CompetenceStandard.objects.none()
    )
    source = forms.ChoiceField(
        label=_("Opened from"),
        choices=[(value, label) for value, label in CaseSource.choices if value in DIRECT_SOURCES],
        widget=forms.RadioSelect,
    )
    referrer = forms.CharField(
        label=_("Referred by"),
        help_text=_("Arbetsförmedlingen's office or the employer's name."),
        max_length=200,
        required=False,
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    personnummer = forms.CharField(
        label=_("Personnummer or samordningsnummer"),
        help_text=_("YYYYMMDD-NNNN. Leave empty if the person has neither."),
        max_length=20,
        required=False,
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    home_municipality = forms.ModelChoiceField(
        label=_("Home municipality"), queryset=Municipality.objects.none(), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the certificate"),
        choices=[
            (code, name) for code, name in settings.LANGUAGES if code in settings.STAFF_LANGUAGES
        ],
        initial="sv",
    )
    description = forms.CharField(
        label=_("What the person already knows"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards_of(region)
        self.fields["home_municipality"].queryset = Municipality.objects.for_region(
            region
        ).order_by("name")


class OpenFromApplicationForm(forms.Form):
    standard = forms.ModelChoiceField(
        label=_("Competence standard"), queryset=CompetenceStandard.objects.none()
    )

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards_of(region)


# --- the steps of one case -------------------------------------------------------------------


class MappingForm(forms.Form):
    """Which areas of the standard to assess, with a note per area."""

    areas = forms.MultipleChoiceField(
        label=_("Competence areas to assess"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, areas: list[CompetenceArea], notes: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.area_objects = {area.pk: area for area in areas}
        self.fields["areas"].choices = [
            (str(area.pk), f"{area.name} ({area.get_method_display().lower()})") for area in areas
        ]
        for area in areas:
            self.fields[f"note_{area.pk}"] = forms.CharField(
                label=_("Note on %(area)s") % {"area": area.name},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=notes.get(area.pk, ""),
            )

    def note_fields(self):
        return [self[f"note_{pk}"] for pk in self.area_objects]

    def chosen_areas(self) -> list[CompetenceArea]:
        return [self.area_objects[int(pk)] for pk in self.cleaned_data["areas"]]

    def notes(self) -> dict[int, str]:
        return {pk: self.cleaned_data.get(f"note_{pk}", "") for pk in self.area_objects}


class AssignForm(forms.Form):
    assessor = AssessorChoiceField(label=_("Responsible assessor"), queryset=User.objects.none())

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = region_assessors(region)


class AppointmentForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    starts = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    assessor = AssessorChoiceField(label=_("Assessor"), queryset=User.objects.none())
    area = forms.TypedChoiceField(
        label=_("Competence area"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, region: Region | None, areas: list[CompetenceArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = region_assessors(region)
        self.area_objects = {area.pk: area for area in areas}
        self.fields["area"].choices = [
            ("", _("All the mapped areas")),
            *((area.pk, area.name) for area in areas),
        ]

    def clean(self):
        cleaned = super().clean()
        day, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if day and starts and ends:
            cleaned["starts_at"] = timezone.make_aware(dt.datetime.combine(day, starts))
            cleaned["ends_at"] = timezone.make_aware(dt.datetime.combine(day, ends))
            if ends <= starts:
                self.add_error("ends", _("The appointment must end after it starts."))
        return cleaned

    def booking(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"],
            "method": data["method"],
            "assessor": data["assessor"],
            "area": self.area_objects.get(data.get("area")),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ResultForm(forms.Form):
    """A result for one area: the outcome, the courses it credits (for partly), the evidence and
    the method. The area's courses come from the caller (prefetched), not a query per form."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    credited_courses = forms.TypedMultipleChoiceField(
        label=_("Courses credited (when partly validated)"),
        help_text=_("A validated area credits all its courses; one not validated credits none."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)

    def __init__(self, *args, area: CompetenceArea, **kwargs):
        super().__init__(*args, **kwargs)
        self.courses = {course.pk: course for course in area.courses.all()}
        self.fields["credited_courses"].choices = [
            (pk, str(course)) for pk, course in self.courses.items()
        ]
        self.fields["method"].initial = area.method

    def result(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "credited_courses": [self.courses[pk] for pk in data["credited_courses"]],
            "evidence": data["evidence"],
            "method": data["method"],
        }


class CorrectionForm(ResultForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def result(self) -> dict:
        return {**super().result(), "reason": self.cleaned_data["reason"]}


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the case closed?"), widget=forms.Textarea(attrs={"rows": 2})
    )


# --- the calendar ----------------------------------------------------------------------------


class CalendarForm(forms.Form):
    week = forms.DateField(label=_("Week of"), required=False)
    assessor = AssessorChoiceField(
        label=_("Assessor"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = region_assessors(region)
