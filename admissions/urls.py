from django.urls import include, path

from admissions import own_data

app_name = "admissions"

urlpatterns = [
    path("ansokan/erbjudanden/", include("admissions.rounds.urls.offers")),
    # The own-data export spans every concern, so it is not one of the applications' pages.
    path("ansokan/mina-uppgifter/", own_data.own_data_download, name="own_data"),
    path("ansokan/", include("admissions.applications.urls.apply")),
    path("intag/omgangar/", include("admissions.rounds.urls.rounds")),
    path("intag/", include("admissions.applications.urls.intake")),
    path("intag/overforing/", include("admissions.applications.urls.transfer")),
    path("brev/", include("admissions.rounds.urls.letters")),
    path("overklagande/", include("admissions.appeals.urls")),
    path("statsbidrag/", include("admissions.funding.urls.allocation")),
    path("studier/", include("admissions.enrolment.urls")),
    path("avrakning/", include("admissions.funding.urls.settlement")),
]
