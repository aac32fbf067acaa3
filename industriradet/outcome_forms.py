"""Forms of the follow-up pages. They parse input; the rules live in
industriradet.services.outcomes, whose ValidationErrors the views put back here. Field names
are OutcomeDetails' names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from admissions.applications.models import PriorEducation
from admissions.applications.services.import_rows import import_max_bytes
from industriradet.models import AgeBand, Birthplace, OutcomeStatus, Sex, TimeInSweden
from industriradet.services.outcomes import OutcomeDetails
from yrkescenter.models import Municipality, Yrkescenter

# Fields about the follow-up itself, then the dimensions of förordning (2016:937) 35-36 §§; the
# template shows them as two groups.
OUTCOME_FIELDS = ("status", "followed_up_on", "ssyk_code", "employer_municipality")
DIMENSION_FIELDS = ("sex", "age_band", "prior_education", "birthplace", "time_in_sweden")


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Situation about six months after the end"),
        choices=OutcomeStatus.choices,
        widget=forms.RadioSelect,
    )
    followed_up_on = forms.DateField(
        label=_("Date of the follow-up"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ssyk_code = forms.CharField(
        label=_("Occupation of the job (SSYK 2012)"),
        required=False,
        max_length=4,
        help_text=_("Only when employed, then required: the code, e.g. 7212 for welders."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    employer_municipality = forms.ModelChoiceField(
        label=_("Employer's municipality"),
        required=False,
        queryset=Municipality.objects.none(),
        empty_label=_("Abroad or not known"),
        help_text=_("Only when employed: where the workplace is."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=AgeBand.choices,
        help_text=_("Age at the end of the studies, from the date of birth."),
    )
    prior_education = forms.ChoiceField(
        label=_("Prior education"),
        required=False,
        choices=[("", _("Not known")), *PriorEducation.choices],
        help_text=_("As the applicant gave it in the application."),
    )
    birthplace = forms.ChoiceField(
        label=_("Born in or outside Sweden"), choices=Birthplace.choices, widget=forms.RadioSelect
    )
    time_in_sweden = forms.ChoiceField(
        label=_("Time in Sweden"),
        choices=TimeInSweden.choices,
        help_text=_("For a student born outside Sweden: how long they had lived in Sweden."),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_municipality"].queryset = Municipality.objects.for_region(
            region
        ).order_by("name")

    def outcome_fields(self):
        return [self[name] for name in OUTCOME_FIELDS]

    def dimension_fields(self):
        return [self[name] for name in DIMENSION_FIELDS]

    def details(self) -> OutcomeDetails:
        data = self.cleaned_data
        return OutcomeDetails(
            status=data["status"],
            followed_up_on=data["followed_up_on"],
            ssyk_code=data["ssyk_code"],
            employer_municipality=data["employer_municipality"],
            sex=data["sex"],
            age_band=data["age_band"],
            prior_education=data["prior_education"],
            birthplace=data["birthplace"],
            time_in_sweden=data["time_in_sweden"],
        )


class CentreFilterForm(forms.Form):
    """A region admin's choice of centre on the follow-up list."""

    centre = forms.ModelChoiceField(
        label=_("Centre"),
        required=False,
        queryset=Yrkescenter.objects.none(),
        empty_label=_("All centres"),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Yrkescenter.objects.for_region(region)


class OutcomeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One student per row, identified by the application's reference (never a "
            "personnummer) and the offering, written programme-code@YYYY-MM-DD with the date the "
            "offering started. Separated by semicolons or commas, UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_max_bytes():
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).")
                % {"size": import_max_bytes() // (1024 * 1024)}
            )
        return upload
