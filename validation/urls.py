from django.urls import path

from validation.views import cases, certificates, fragments, person, stats

app_name = "validation"

urlpatterns = [
    path("", cases.case_queue, name="case_queue"),
    path("arenden/nytt/", cases.case_new, name="case_new"),
    path(
        "ansokningar/<int:pk>/oppna/",
        cases.case_open_from_application,
        name="case_open_from_application",
    ),
    path("arenden/<int:pk>/", cases.case_detail, name="case_detail"),
    path("arenden/<int:pk>/kartlaggning/", cases.case_map, name="case_map"),
    path("arenden/<int:pk>/ansvarig/", cases.case_assign, name="case_assign"),
    path("arenden/<int:pk>/bokning/", cases.appointment_book, name="appointment_book"),
    path("bokningar/<int:pk>/avboka/", cases.appointment_cancel, name="appointment_cancel"),
    path("omraden/<int:pk>/resultat/", cases.result_record, name="result_record"),
    path("resultat/<int:pk>/rattelse/", cases.result_correct, name="result_correct"),
    path("resultat/<int:pk>/attest/", cases.result_sign_off, name="result_sign_off"),
    path("arenden/<int:pk>/beslut/", cases.case_decide, name="case_decide"),
    path("arenden/<int:pk>/avslut/", cases.case_close, name="case_close"),
    path("kalender/", cases.calendar, name="calendar"),
    path("mina/", person.my_validations, name="my_validations"),
    path("kontroll/", certificates.verify, name="verify"),
    path("intyg/<int:pk>/", certificates.certificate_download, name="certificate_download"),
    path("intyg/<int:pk>/aterkalla/", certificates.certificate_revoke, name="certificate_revoke"),
    path("arenden/<int:pk>/intyg/", certificates.case_certificates, name="case_certificates"),
    path("arenden/<int:pk>/intyg/ny/", certificates.certificate_issue, name="certificate_issue"),
    path("ansokningar/<int:pk>/", fragments.application_results, name="application_results"),
    path("uppfoljning/", stats.stats, name="stats"),
]
