from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YrkescenterConfig(AppConfig):
    name = "yrkescenter"
    verbose_name = _("Regional structure")
