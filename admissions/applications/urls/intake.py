from django.urls import path

from admissions.applications.views import access_log, intake

urlpatterns = [
    path("", intake.queue, name="intake_queue"),
    path("atkomstlogg/", access_log.access_log, name="access_log"),
    path("atgard/", intake.bulk_action, name="intake_bulk"),
    path("ansokningar/<int:pk>/", intake.application_detail, name="intake_application"),
    path("ansokningar/<int:pk>/anteckning/", intake.note_create, name="intake_note"),
    path(
        "ansokningar/<int:pk>/komplettering/",
        intake.completion_request_new,
        name="intake_completion_request",
    ),
    path("val/<int:pk>/behorighet/", intake.choice_eligibility, name="intake_eligibility"),
    path("val/<int:pk>/urvalsgrupp/", intake.choice_selection_group, name="intake_selection_group"),
]
