"""Forms of the import and export pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from admissions.applications.models import ApplicationStatus
from admissions.applications.services.import_rows import import_max_bytes
from admissions.applications.services.transfer import EXPORT_FORMATS, may_export_identity_numbers
from yrkescenter.models import IntakePeriod


class ExportForm(forms.Form):
    intake_period = forms.ModelChoiceField(
        label=_("Intake period"),
        queryset=IntakePeriod.objects.none(),
        required=False,
        empty_label=_("All intake periods"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Submitted and withdrawn")), *ApplicationStatus.choices],
    )
    file_format = forms.ChoiceField(
        label=_("File format"),
        choices=[("xlsx", _("Excel (XLSX)")), ("csv", _("CSV (semicolon-separated, UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    include_identity_numbers = forms.BooleanField(
        label=_("Include identity numbers"),
        required=False,
        help_text=_(
            "Only when the receiver needs them. The export is logged with whether identity "
            "numbers were included."
        ),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intake_period"].queryset = IntakePeriod.objects.for_region(membership.region)
        if not may_export_identity_numbers(membership):
            del self.fields["include_identity_numbers"]

    def clean_file_format(self) -> str:
        value = self.cleaned_data["file_format"]
        if value not in EXPORT_FORMATS:
            raise forms.ValidationError(_("Choose a file format."))
        return value


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One application per row. Columns: personnummer (or empty and birth_date "
            "YYYY-MM-DD), first_name, last_name, email, phone, home_municipality_code, "
            "intake_period, then choice_1, choice_2 … up to the region's maximum, each written "
            "programme@centre (add @YYYY-MM-DD when an offering starts on several dates). "
            "Separated by semicolons or commas, UTF-8."
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
