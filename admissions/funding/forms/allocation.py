"""Forms of the rectors' allocation page. They parse input; the rules (the grant, the offering's
seats, who may commit for which municipality) live in yrkescenter.services, whose
ValidationErrors the views put back here."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yrkescenter.models import Municipality


def seats_field_name(offering_pk: int) -> str:
    return f"seats_{offering_pk}"


class AllocationForm(forms.Form):
    """One number of state-funded seats per offering of the grant year, and the reason."""

    # The version on screen when the page was drawn; empty when there was none.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = forms.CharField(
        label=_("Why this allocation"),
        help_text=_("Saved with the decision, with your name and the time."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offerings, based_on_version: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offerings = list(offerings)
        self.fields["based_on_version"].initial = based_on_version
        for offering in self.offerings:
            self.fields[seats_field_name(offering.pk)] = forms.IntegerField(
                label=_("State-funded seats: %(offering)s") % {"offering": offering},
                min_value=0,
                max_value=offering.seats,
                initial=offering.state_funded_seats,
            )
        # The reason comes after the table's inputs.
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])

    def seats(self) -> dict[int, int]:
        """offering pk -> seats, from the cleaned data."""
        return {
            offering.pk: self.cleaned_data[seats_field_name(offering.pk)]
            for offering in self.offerings
        }

    def seats_shown(self) -> dict[int, int]:
        """What the table's figures are computed from: the typed numbers where they are
        numbers (a refused allocation shows what it would have cost), else the seats in
        force."""
        shown = {offering.pk: offering.state_funded_seats for offering in self.offerings}
        if self.is_bound:
            for offering in self.offerings:
                value = self.data.get(self.add_prefix(seats_field_name(offering.pk)), "")
                if value.strip().isdigit():
                    shown[offering.pk] = int(value)
        return shown


class CommitmentForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    places = forms.DecimalField(
        label=_("Co-financed places (årsstudieplatser)"),
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
    )
    reason = forms.CharField(
        label=_("Why"),
        help_text=_("For example the board's decision and its date."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, prefix="commitment", **kwargs)
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0].pk
            self.fields["municipality"].empty_label = None
