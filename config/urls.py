from django.urls import include, path

from accounts import views as account_views
from accounts.admin_site import admin_site

urlpatterns = [
    path("healthz", account_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin_site.urls),
    path("accounts/", include("allauth.urls")),
    path("konto/", include("accounts.urls")),
    path("yrkescenter/", include("yrkescenter.urls")),
    path("validering/", include("validation.urls")),
    path("industriradet/", include("industriradet.urls")),
    path("statistik/", include("industriradet.urls_public")),
    path("", include("admissions.urls")),
    path("", account_views.home, name="home"),
]

# A database that cannot be reached is a 503 page, not a traceback (accounts.views.server_error).
handler500 = "accounts.views.server_error"
