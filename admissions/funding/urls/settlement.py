from django.urls import path

from admissions.funding.views import settlement

# Municipality codes (kommunkod) in these URLs are public registry codes, not personal data.
urlpatterns = [
    path("", settlement.settlement_index, name="settlement_index"),
    path("<int:pk>/", settlement.settlement_detail, name="settlement_detail"),
    path(
        "<int:pk>/kommun/<str:code>/",
        settlement.settlement_municipality,
        name="settlement_municipality",
    ),
    path(
        "<int:pk>/betalare/<str:home>/vard/<str:host>/",
        settlement.settlement_cell,
        name="settlement_cell",
    ),
    path("<int:pk>/faststall/", settlement.settlement_approve, name="settlement_approve"),
    path(
        "<int:pk>/faststalld/<int:version>/",
        settlement.settlement_approval,
        name="settlement_approval",
    ),
    path(
        "<int:pk>/faststalld/<int:version>/export/<str:file_format>/",
        settlement.settlement_approval_export,
        name="settlement_approval_export",
    ),
    path(
        "<int:pk>/export/<str:file_format>/",
        settlement.settlement_export_download,
        name="settlement_export",
    ),
]
