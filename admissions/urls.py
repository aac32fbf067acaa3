from django.urls import include, path

app_name = "admissions"

urlpatterns = [
    path("ansokan/", include("admissions.urls_apply")),
    path("intag/", include("admissions.urls_intake")),
    path("intag/overforing/", include("admissions.urls_transfer")),
]
