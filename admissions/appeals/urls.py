from django.urls import path

from admissions.appeals import views as appeals

urlpatterns = [
    path("beslut/<int:result_pk>/", appeals.appeal_lodge, name="appeal_lodge"),
    path("<int:pk>/", appeals.appeal_detail, name="appeal_detail"),
    path("bilaga/<int:pk>/", appeals.appeal_attachment, name="appeal_attachment"),
    path(
        "omprovning/<int:pk>/",
        appeals.appeal_reconsideration_letter,
        name="appeal_reconsideration_letter",
    ),
    path("handlaggning/", appeals.appeal_queue_view, name="appeal_queue"),
    path("handlaggning/<int:pk>/", appeals.appeal_review, name="appeal_review"),
    path("handlaggning/<int:pk>/omprova/", appeals.appeal_reconsider, name="appeal_reconsider"),
    path("handlaggning/<int:pk>/overlamna/", appeals.appeal_forward, name="appeal_forward"),
    path("handlaggning/<int:pk>/akt/", appeals.appeal_case_file, name="appeal_case_file"),
    path(
        "handlaggning/<int:pk>/namndens-beslut/",
        appeals.appeal_board_decision,
        name="appeal_board_decision",
    ),
]
