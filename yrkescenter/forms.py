"""The public catalogue's filters: a GET form, so a filtered list has its own link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yrkescenter.models import Pace


class CatalogueFilterForm(forms.Form):
    centre = forms.TypedChoiceField(label=_("Centre"), coerce=int, required=False)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False)
    occupation = forms.ChoiceField(label=_("Leads to occupation"), required=False)
    start_month = forms.ChoiceField(label=_("Starts in month"), required=False)
    start_from = forms.DateField(
        label=_("Starts on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    pace = forms.TypedChoiceField(label=_("Pace"), coerce=int, required=False)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        self.fields["centre"].choices = anything + options["centres"]
        self.fields["programme"].choices = anything + options["programmes"]
        self.fields["occupation"].choices = anything + [
            (code, f"{name} ({code})") for code, name in options["occupations"]
        ]
        self.fields["start_month"].choices = anything + [
            (month, month) for month in options["months"]
        ]
        labels = dict(Pace.choices)
        self.fields["pace"].choices = anything + [
            (pace, labels.get(pace, f"{pace} %")) for pace in options["paces"]
        ]

    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link) is ignored rather than refused."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in ("", None)
        }
