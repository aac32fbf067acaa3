from django.urls import path

from industriradet.views import apl, company, dashboards, needs, outcomes

app_name = "industriradet"

urlpatterns = [
    path("uppfoljning/", outcomes.outcome_list, name="outcome_list"),
    path("uppfoljning/<int:pk>/", outcomes.outcome_record, name="outcome_record"),
    path("uppfoljning/import/", outcomes.outcome_import, name="outcome_import"),
    path("uppfoljning/granska/", outcomes.outcome_import_preview, name="outcome_import_preview"),
    path("uppfoljning/bekrafta/", outcomes.outcome_import_confirm, name="outcome_import_confirm"),
    path("foretag/", company.company_home, name="company_home"),
    path("behov/", needs.needs_list, name="needs_list"),
    path("behov/ny/", needs.need_new, name="need_new"),
    path("behov/<int:pk>/", needs.need_edit, name="need_edit"),
    path("behov/<int:pk>/ta-bort/", needs.need_delete, name="need_delete"),
    path("behov/import/", needs.needs_import, name="needs_import"),
    path("behov/import/granska/", needs.needs_import_preview, name="needs_import_preview"),
    path("behov/import/bekrafta/", needs.needs_import_confirm, name="needs_import_confirm"),
    path("apl/erbjudanden/", apl.apl_offers, name="apl_offers"),
    path("apl/erbjudanden/ny/", apl.apl_offer_new, name="apl_offer_new"),
    path("apl/erbjudanden/<int:pk>/", apl.apl_offer_edit, name="apl_offer_edit"),
    path("apl/platser/", apl.apl_places, name="apl_places"),
    path("apl/platser/<int:pk>/boka/", apl.apl_book, name="apl_book"),
    path("apl/bokningar/<int:pk>/avboka/", apl.apl_cancel, name="apl_cancel"),
    path("oversikt/", dashboards.dashboard_index, name="dashboards"),
    path("oversikt/rapport.pdf", dashboards.dashboard_report, name="dashboard_report"),
    path("oversikt/<slug:key>.<slug:fmt>", dashboards.dashboard_export, name="dashboard_export"),
    path("oversikt/<slug:slug>/", dashboards.dashboard_detail, name="dashboard"),
]
