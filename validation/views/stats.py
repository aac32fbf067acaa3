"""Follow-up of the validation centre per standard (validation.stats). The centre's staff see
every figure; council members the same aggregates with small counts suppressed."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from validation.models import CaseSource
from validation.stats import (
    SUPPRESS_BELOW,
    StatsFilters,
    request_years,
    rows_for_reader,
    standard_figures,
)

STATS_READERS = (Role.ASSESSOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER)


class StatsFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year of the request"), required=False, coerce=int, empty_value=None
    )
    requested_from = forms.DateField(
        label=gettext_lazy("Requested from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    requested_to = forms.DateField(
        label=gettext_lazy("Requested until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source = forms.ChoiceField(label=gettext_lazy("Opened from"), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", gettext_lazy("Every year"))] + [
            (year, str(year)) for year in years
        ]
        self.fields["source"].choices = [("", gettext_lazy("Every source")), *CaseSource.choices]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("requested_from"), cleaned.get("requested_to")
        if start and end and end < start:
            self.add_error("requested_to", gettext_lazy("The end comes before the start."))
        return cleaned

    def filters(self) -> StatsFilters:
        if not self.is_bound or not self.is_valid():
            return StatsFilters()
        data = self.cleaned_data
        return StatsFilters(
            year=data["year"],
            requested_from=data["requested_from"],
            requested_to=data["requested_to"],
            source=data["source"] or "",
        )


@role_required(*STATS_READERS)
@require_GET
def stats(request):
    region = request.membership.region
    form = StatsFilterForm(request.GET or None, years=request_years(region))
    suppress = request.membership.role == Role.COUNCIL_MEMBER
    rows = None
    if not form.is_bound or form.is_valid():
        rows = rows_for_reader(standard_figures(region, form.filters()), suppress=suppress)
    return render(
        request,
        "validation/stats/stats.html",
        {"form": form, "rows": rows, "suppress": suppress, "suppress_below": SUPPRESS_BELOW},
    )
