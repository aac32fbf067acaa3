from django.urls import include, path

app_name = "admissions"

urlpatterns = [
    path("ansokan/erbjudanden/", include("admissions.urls_offers")),
    path("ansokan/", include("admissions.urls_apply")),
    path("intag/omgangar/", include("admissions.urls_rounds")),
    path("intag/", include("admissions.urls_intake")),
    path("intag/overforing/", include("admissions.urls_transfer")),
    path("brev/", include("admissions.urls_letters")),
    path("overklagande/", include("admissions.urls_appeals")),
    path("statsbidrag/", include("admissions.urls_allocation")),
    path("studier/", include("admissions.urls_enrolment")),
    path("avrakning/", include("admissions.urls_settlement")),
]
