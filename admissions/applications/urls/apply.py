from django.urls import path

from admissions.applications.views import apply

urlpatterns = [
    path("", apply.my_applications, name="my_applications"),
    path("starta/<int:offering_pk>/", apply.apply_start, name="apply_start"),
    path("<int:pk>/", apply.application_detail, name="application_detail"),
    path("<int:pk>/steg/<slug:step>/", apply.application_step, name="application_step"),
    path("<int:pk>/kvitto/", apply.application_receipt, name="application_receipt"),
    path("<int:pk>/aterkalla/", apply.application_withdraw_view, name="application_withdraw"),
    path("komplettering/<int:pk>/", apply.completion_answer_view, name="completion_answer"),
    path("dokument/<int:pk>/", apply.document_download, name="document_download"),
]
