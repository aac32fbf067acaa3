"""The applicant's forms. Every step's fields are optional while the application is a draft, so
a step can be saved half-filled; what must be there is checked when the applicant submits
(admissions.applications.selectors.apply.missing_for_submit)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    DocumentKind,
    PriorEducation,
    RecruitmentChannel,
    Situation,
    personnummer_message,
)
from admissions.applications.text import without_bidi_controls
from admissions.files import uploads
from yrkescenter.models import Municipality


def _blank_choice(choices):
    return [("", _("Choose…")), *choices]


class DraftStepForm(forms.Form):
    """A step of the draft. `valid_values()` gives the fields that passed their checks, even
    when another field of the step has an error, so those can be saved."""

    # Fields a draft may leave empty but a submitted application needs (see
    # admissions.applications.selectors.apply.missing_for_submit): the form must not call them
    # optional.
    needed_to_submit: tuple[str, ...] = ()

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        kwargs.setdefault("initial", self.initial_from(application))
        super().__init__(*args, **kwargs)
        for name in self.needed_to_submit:
            self.fields[name].needed_to_submit = True

    def initial_from(self, application: Application) -> dict:
        return {name: getattr(application, name) for name in self.base_fields}

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = without_bidi_controls(value)
        return data

    def valid_values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class IdentityForm(DraftStepForm):
    needed_to_submit = ("first_name", "last_name", "birth_date")

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    personnummer = forms.CharField(
        label=_("Personnummer or samordningsnummer"),
        max_length=20,
        required=False,
        help_text=_("12 digits, for example 19850312-1234."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    has_no_identity_number = forms.BooleanField(
        label=_("I have no Swedish personnummer or samordningsnummer"), required=False
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Only if you have no Swedish number. Format: YYYY-MM-DD, e.g. 1985-03-12."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )

    def initial_from(self, application):
        initial = super().initial_from(application)
        # The owner sees their own number in their own form, in the form they would write it.
        number = application.personnummer
        initial["personnummer"] = f"{number[:8]}-{number[8:]}" if number else ""
        return initial

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        if application.applicant_id and application.applicant.personnummer:
            # Verified by the e-ID login: shown, not editable (the service keeps it anyway).
            for name in ("personnummer", "has_no_identity_number", "birth_date"):
                self.fields[name].disabled = True
            self.fields["personnummer"].help_text = _("Verified by your e-ID login.")

    def clean_personnummer(self):
        value = self.cleaned_data["personnummer"].strip()
        if not value:
            return ""
        try:
            return pnr.normalize(value)
        except pnr.PersonnummerError as error:
            raise ValidationError(
                personnummer_message(error), code="invalid_personnummer"
            ) from error

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and not dt.date(1900, 1, 1) <= value <= dt.date.today():
            raise ValidationError(_("Enter your real date of birth."), code="implausible")
        return value

    def clean(self):
        data = super().clean()
        if data.get("has_no_identity_number") and data.get("personnummer"):
            self.add_error(
                "personnummer",
                _("You ticked that you have no number: leave this empty, or untick the box."),
            )
        if data.get("has_no_identity_number") and "birth_date" in data and not data["birth_date"]:
            self.add_error("birth_date", _("Without a Swedish number, enter your date of birth."))
        return data

    def valid_values(self):
        values = super().valid_values()
        if values.get("personnummer"):
            # The number's date wins; a differing typed date would only confuse.
            values.pop("birth_date", None)
        return values


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.is_party:
            return obj.name
        return gettext("%(name)s (needs its own cost commitment)") % {"name": obj.name}


class ContactForm(DraftStepForm):
    needed_to_submit = ("email", "home_municipality")

    protected_identity = forms.BooleanField(
        label=_("I have protected personal data (skyddade personuppgifter)"),
        required=False,
        help_text=_(
            "Tick this if the Swedish Tax Agency (Skatteverket) protects your address. We will "
            "not save any address. Your letters will only be in this portal, not sent by post. "
            "Only a few named people at the intake office can see your application."
        ),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{3} ?\d{2}$",
        max_length=10,
        required=False,
        error_messages={"invalid": _("A postal code has five digits, e.g. 652 25.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    home_municipality = MunicipalityChoiceField(
        label=_("Home municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("Choose…"),
        help_text=_(
            "The municipality where you are registered as living (folkbokförd). If it is not "
            "part of the region's agreement, your municipality must first promise to pay its "
            "share of the cost."
        ),
        error_messages={"invalid_choice": _("Choose a municipality from the list.")},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        self.fields["home_municipality"].queryset = Municipality.objects.for_region(
            application.region
        ).order_by("name")

    def initial_from(self, application):
        initial = super().initial_from(application)
        initial["home_municipality"] = application.home_municipality_id
        return initial


class BackgroundForm(DraftStepForm):
    needed_to_submit = ("prior_education", "situation", "recruitment_channel")

    prior_education = forms.ChoiceField(
        label=_("Highest completed education"),
        choices=_blank_choice(PriorEducation.choices),
        required=False,
    )
    situation = forms.ChoiceField(
        label=_("Current situation"), choices=_blank_choice(Situation.choices), required=False
    )
    recruitment_channel = forms.ChoiceField(
        label=_("How did you hear about the education?"),
        choices=_blank_choice(RecruitmentChannel.choices),
        required=False,
    )
    combine_with_sfi = forms.BooleanField(
        label=_("I want to combine the course with SFI (Swedish for immigrants)"), required=False
    )
    combine_with_sas = forms.BooleanField(
        label=_("I want to combine the course with Swedish as a second language"),
        required=False,
    )
    language_support_note = forms.CharField(
        label=_("Other language support you need"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ValidationRequestForm(DraftStepForm):
    validation_requested = forms.BooleanField(
        label=_("I want my prior competence validated"), required=False
    )
    validation_description = forms.CharField(
        label=_("What you already know and how you learned it"),
        help_text=_("For example work you have done, courses you have taken, certificates."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


STEP_FORMS: dict[str, type[DraftStepForm]] = {
    "identity": IdentityForm,
    "contact": ContactForm,
    "background": BackgroundForm,
    "validation": ValidationRequestForm,
}


class UploadField(forms.FileField):
    """A file recognised by its content: PDF, JPEG or PNG, within the size limit."""

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file:
            uploads.check_upload(file)
        return file


def _upload_help() -> str:
    return gettext("PDF, JPEG or PNG, at most %(limit)s.") % {
        "limit": filesizeformat(uploads.max_bytes())
    }


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is the document?"), choices=_blank_choice(DocumentKind.choices)
    )
    file = UploadField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()


class ChoiceAddForm(forms.Form):
    offering = forms.IntegerField(label=_("Add a course"), widget=forms.Select)

    def __init__(self, *args, offerings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].widget.choices = [
            ("", _("Choose…")),
            *[
                (
                    offering.pk,
                    f"{offering.programme.name} – {offering.centre.name}, "
                    f"{offering.starts_on:%Y-%m-%d}",
                )
                for offering in offerings
            ],
        ]


class SubmitForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I have read how my personal data is handled and consent to the region handling "
            "it to process my application."
        ),
        required=True,
        error_messages={"required": _("You must consent to how your personal data is handled.")},
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I want to withdraw my application"),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )


class CompletionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Message to the intake office"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(
        label=_("What is the document?"),
        choices=_blank_choice(DocumentKind.choices),
        required=False,
    )
    file = UploadField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()

    def clean(self):
        data = super().clean()
        if data.get("file") and not data.get("kind"):
            self.add_error("kind", _("Choose what kind of document this is."))
        if "file" in data and not data.get("file") and not data.get("answer", "").strip():
            raise ValidationError(_("Upload a document or write a message."), code="empty")
        return data

    def files_to_upload(self) -> list:
        if self.cleaned_data.get("file"):
            return [(self.cleaned_data["kind"], self.cleaned_data["file"])]
        return []
