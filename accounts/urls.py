from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("role/", views.switch_role, name="switch_role"),
    path("audit/", views.audit_log, name="audit_log"),
]
