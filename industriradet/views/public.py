"""The region's open statistics: no login, the region from the request's host. Applicants per
seat and what became of the students, per programme and centre, for an intake period chosen in
the GET form; counts of people suppressed (industriradet.selectors.public)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from industriradet.selectors.public import default_period, public_periods, public_statistics
from industriradet.suppression import SMALL


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Intake period"))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period.code: period for period in periods}
        self.fields["period"].choices = [(period.code, period.name) for period in periods]


@login_not_required
@require_GET
def index(request):
    region = request.region
    if region is None:
        raise Http404
    periods = public_periods(region)
    initial = default_period(periods)
    form = PeriodForm(
        request.GET if "period" in request.GET else None,
        periods=periods,
        initial={"period": initial.code} if initial else {},
    )
    period = initial
    if form.is_bound:
        period = form.periods[form.cleaned_data["period"]] if form.is_valid() else None
    return render(
        request,
        "industriradet/public/index.html",
        {
            "form": form,
            "periods": periods,
            "statistics": public_statistics(region, period) if period else None,
            "small": SMALL,
        },
    )
