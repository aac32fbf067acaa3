"""The paths of allauth's openid_connect provider (/accounts/oidc/<id>/login/[callback/]),
served by accounts.eid.views; allauth includes this module for EidProvider (its package)."""

from allauth.socialaccount import app_settings
from django.urls import include, path

from accounts.eid import views

urlpatterns = [
    path(
        f"{app_settings.OPENID_CONNECT_URL_PREFIX}/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
