"""The public catalogue's filters (a GET form, so a filtered list has its own link) and the
region admin's form of the region's terms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import TieBreak
from yrkescenter.models import Pace, PriceUnit
from yrkescenter.services import RegionTerms


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


class RegionTermsForm(forms.Form):
    """The region's terms, one field per term, grant year ratio and price of the list. It parses
    input; region_terms_update checks the rules and the view puts its errors back here."""

    max_choices = forms.IntegerField(
        label=_("Maximum ranked choices"),
        help_text=_("How many courses an applicant may rank (1 to 20)."),
        min_value=1,
        max_value=20,
    )
    tie_break = forms.ChoiceField(
        label=_("Tie-break rule"),
        help_text=_("How applicants in the same selection group are ordered."),
        choices=TieBreak.choices,
    )
    answer_days = forms.IntegerField(
        label=_("Answer time (days)"),
        help_text=_("A new round's answer deadline is proposed this many days ahead (1 to 60)."),
        min_value=1,
        max_value=60,
    )

    def __init__(self, *args, grant_years, prices, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_years = list(grant_years)
        self.prices = list(prices)
        for year in self.grant_years:
            self.fields[f"grant_year_{year.pk}_municipal"] = forms.IntegerField(
                label=_("%(year)s: municipal places") % {"year": year},
                min_value=0,
                max_value=100,
                initial=year.cofinancing_municipal,
            )
            self.fields[f"grant_year_{year.pk}_state"] = forms.IntegerField(
                label=_("%(year)s: per state-funded places") % {"year": year},
                min_value=1,
                max_value=100,
                initial=year.cofinancing_state,
            )
        for price in self.prices:
            self.fields[f"price_{price.pk}_unit"] = forms.ChoiceField(
                label=_("%(programme)s: unit") % {"programme": price.programme.name},
                choices=PriceUnit.choices,
                initial=price.unit,
            )
            self.fields[f"price_{price.pk}_amount"] = forms.DecimalField(
                label=_("%(programme)s: price (SEK)") % {"programme": price.programme.name},
                min_value=0,
                max_digits=10,
                decimal_places=2,
                initial=price.amount,
            )

    def region_fields(self):
        return [self[name] for name in ("max_choices", "tie_break", "answer_days")]

    def grant_year_rows(self):
        return [
            (year, self[f"grant_year_{year.pk}_municipal"], self[f"grant_year_{year.pk}_state"])
            for year in self.grant_years
        ]

    def price_rows(self):
        return [
            (price, self[f"price_{price.pk}_unit"], self[f"price_{price.pk}_amount"])
            for price in self.prices
        ]

    def terms(self) -> RegionTerms:
        data = self.cleaned_data
        return RegionTerms(
            max_choices=data["max_choices"],
            tie_break=data["tie_break"],
            answer_days=data["answer_days"],
            cofinancing={
                year.pk: (
                    data[f"grant_year_{year.pk}_municipal"],
                    data[f"grant_year_{year.pk}_state"],
                )
                for year in self.grant_years
            },
            prices={
                price.pk: (data[f"price_{price.pk}_unit"], data[f"price_{price.pk}_amount"])
                for price in self.prices
            },
        )
