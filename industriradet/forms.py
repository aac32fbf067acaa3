"""Forms of the council's needs and APL pages. They parse input; the rules are the services'
(industriradet.services.needs and .apl), whose errors the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from industriradet.models import Company, Horizon, Level
from industriradet.selectors.needs import clusters, companies_for_entry, open_surveys
from industriradet.services.needs import IMPORT_MAX_BYTES, ssyk_problem
from yrkescenter.models import IntakePeriod, Municipality, Programme


def _municipalities(region):
    return Municipality.objects.for_region(region).filter(is_party=True).order_by("name")


class NeedForm(forms.Form):
    """A need: for a new one also the survey and the company; an existing one keeps both."""

    survey = forms.ModelChoiceField(label=_("Survey"), queryset=None)
    company = forms.ModelChoiceField(label=_("Company"), queryset=None)
    ssyk_code = forms.CharField(
        label=_("Occupation (SSYK 2012 code)"),
        max_length=4,
        help_text=_(
            "Four digits from Statistics Sweden's occupational classification, e.g. 7212 "
            "welders or 8171 pulp and paper process operators."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )
    count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=10000)
    horizon = forms.ChoiceField(label=_("When"), choices=Horizon.choices, widget=forms.RadioSelect)
    municipality = forms.ModelChoiceField(label=_("Where (municipality)"), queryset=None)
    level = forms.ChoiceField(label=_("Level of education"), choices=Level.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the shift, a certificate or a language needed."),
    )

    def __init__(self, *args, membership: Membership, existing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        region = membership.region
        self.fields["municipality"].queryset = _municipalities(region)
        if existing:
            del self.fields["survey"]
            del self.fields["company"]
            return
        self.fields["survey"].queryset = open_surveys(region).order_by("-opens_on")
        self.fields["company"].queryset = companies_for_entry(membership)
        if self.fields["survey"].queryset.count() == 1:
            self.fields["survey"].initial = self.fields["survey"].queryset.first()
        if self.fields["company"].queryset.count() == 1:
            self.fields["company"].initial = self.fields["company"].queryset.first()

    def clean_ssyk_code(self) -> str:
        code = self.cleaned_data["ssyk_code"].strip()
        problem = ssyk_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code


class NeedsImportForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=None)
    cluster = forms.ModelChoiceField(
        label=_("Cluster"),
        queryset=None,
        help_text=_("The cluster whose survey this is; every company in the file is its member."),
    )
    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_(
            "One need per row, the first row naming the columns: company (name or organisation "
            "number), ssyk (four digits), count, horizon (lt1, 1to3 or 3to5), municipality (code "
            "or name), level (upper_secondary, higher_vocational, university or none) and, if "
            "you like, note. CSV separated by semicolons or commas, UTF-8; or an XLSX workbook "
            "(its first sheet). At most 2 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = open_surveys(membership.region).order_by("-opens_on")
        self.fields["cluster"].queryset = clusters(membership.region).order_by("name")
        if self.fields["survey"].queryset.count() == 1:
            self.fields["survey"].initial = self.fields["survey"].queryset.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).")
                % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class AplOfferForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    intake_period = forms.ModelChoiceField(label=_("Term"), queryset=None)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the tasks, the supervisor's contact or the working hours."),
    )

    def __init__(self, *args, membership: Membership, existing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if existing:
            del self.fields["company"]
            del self.fields["programme"]
            del self.fields["intake_period"]
            return
        region = membership.region
        self.fields["company"].queryset = Company.objects.visible_to(membership).order_by("name")
        if self.fields["company"].queryset.count() == 1:
            self.fields["company"].initial = self.fields["company"].queryset.first()
        self.fields["programme"].queryset = Programme.objects.for_region(region).order_by("name")
        self.fields["intake_period"].queryset = IntakePeriod.objects.for_region(region).order_by(
            "-starts_on"
        )


class AplBookingForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Student"), queryset=None)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
        # The student by name and application reference; never an identity number.
        self.fields["enrolment"].label_from_instance = lambda enrolment: (
            f"{enrolment.application.first_name} {enrolment.application.last_name} "
            f"({enrolment.application.reference})"
        )
