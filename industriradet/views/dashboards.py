"""The council's dashboards (industriradet.dashboards): an overview, one page per dashboard with
its tables and charts, CSV/XLSX of each table and the PDF report for the council's meetings.

Council members and region admins of the region only (others 403; a user of another region
has no role here). Every figure is an aggregate with small counts suppressed, for region admins
too: the pages and the files show the same. The filters are a GET form over the region's own
periods, centres, programmes, municipalities and surveys: another region's id is not a valid
choice, so it can never select another region's rows. Nothing is written: no person is seen."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Region
from accounts.permissions import role_required
from industriradet.dashboard_export import FORMATS, suppression_note, table_file
from industriradet.dashboards import (
    DASHBOARDS,
    TABLE_BUILDERS,
    Filters,
    dashboard,
    default_filters,
    table,
)
from industriradet.dashboards.tables import shown_cells
from industriradet.models import COUNCIL_READERS, NeedsSurvey
from industriradet.report import report_file_name, report_pdf
from yrkescenter.models import IntakePeriod, Municipality, Programme, Yrkescenter

FILTER_FIELDS = ("period", "centre", "programme", "municipality", "survey")


class DashboardFilterForm(forms.Form):
    period = forms.ModelChoiceField(
        label=gettext_lazy("Intake period"),
        queryset=IntakePeriod.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every period"),
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"),
        queryset=Yrkescenter.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every centre"),
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every programme"),
    )
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Applicants' home municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every municipality"),
    )
    survey = forms.ModelChoiceField(
        label=gettext_lazy("Needs survey"),
        help_text=gettext_lazy("The needs stated in this survey are compared with the supply."),
        queryset=NeedsSurvey.objects.none(),
        required=False,
        empty_label=gettext_lazy("No survey"),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        fields = self.fields
        fields["period"].queryset = IntakePeriod.objects.for_region(region).order_by(
            "-starts_on", "pk"
        )
        fields["centre"].queryset = Yrkescenter.objects.for_region(region).order_by("name")
        fields["programme"].queryset = Programme.objects.for_region(region).order_by("name")
        fields["municipality"].queryset = Municipality.objects.for_region(region).order_by("name")
        fields["survey"].queryset = NeedsSurvey.objects.for_region(region).order_by(
            "-opens_on", "pk"
        )

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(region=self.region, **{name: data.get(name) for name in FILTER_FIELDS})


def _filters(request) -> tuple[DashboardFilterForm, Filters | None]:
    """The form and the filters it gives: before anything is chosen, the latest period and
    survey; None when the choices are not valid."""
    region = request.membership.region
    if not any(name in request.GET for name in FILTER_FIELDS):
        defaults = default_filters(region)
        form = DashboardFilterForm(
            region=region,
            initial={"period": defaults.period, "survey": defaults.survey},
        )
        return form, defaults
    form = DashboardFilterForm(request.GET, region=region)
    return form, form.filters() if form.is_valid() else None


def _query(request) -> str:
    """The filters chosen, to carry to the other dashboards and the files."""
    query = request.GET.copy()
    for name in list(query):
        if name not in FILTER_FIELDS:
            del query[name]
    return query.urlencode()


def _menu(current: str | None) -> list[dict]:
    return [
        {"slug": slug, "title": title, "intro": intro, "current": slug == current}
        for slug, (title, intro, _builders) in DASHBOARDS.items()
    ]


@role_required(*COUNCIL_READERS)
@require_GET
def dashboard_index(request):
    form, _filters_chosen = _filters(request)
    return render(
        request,
        "industriradet/dashboards/index.html",
        {"form": form, "dashboards": _menu(None), "query": _query(request)},
    )


@role_required(*COUNCIL_READERS)
@require_GET
def dashboard_detail(request, slug: str):
    if slug not in DASHBOARDS:
        raise Http404
    form, filters = _filters(request)
    board = None
    sections = []
    if filters is not None:
        board = dashboard(slug, filters)
        sections = [
            {
                "table": t,
                "chart": t.chart_data(),
                "rows": [(row, shown_cells(row)) for row in t.rows],
                "total": (t.total, shown_cells(t.total)) if t.total else None,
            }
            for t in board.tables
        ]
    title, intro, _builders = DASHBOARDS[slug]
    return render(
        request,
        "industriradet/dashboards/detail.html",
        {
            "form": form,
            "slug": slug,
            "title": title,
            "intro": intro,
            "board": board,
            "sections": sections,
            "dashboards": _menu(slug),
            "query": _query(request),
            "suppression_note": suppression_note(),
        },
    )


@role_required(*COUNCIL_READERS)
@require_GET
def dashboard_export(request, key: str, fmt: str):
    """One table as CSV or XLSX (`fmt`), with the filters of the page it was downloaded from."""
    if key not in TABLE_BUILDERS or fmt not in FORMATS:
        raise Http404
    form, filters = _filters(request)
    if filters is None:
        return HttpResponseBadRequest(form.errors.as_text())
    exported = table_file(table(key, filters), filters, fmt)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    return response


@role_required(*COUNCIL_READERS)
@require_GET
def dashboard_report(request):
    """Every dashboard table with the filters chosen, as a PDF for the council's meeting."""
    form, filters = _filters(request)
    if filters is None:
        return HttpResponseBadRequest(form.errors.as_text())
    response = HttpResponse(report_pdf(filters), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_file_name(filters)}"'
    return response
