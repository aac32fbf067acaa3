from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustriradetConfig(AppConfig):
    name = "industriradet"
    verbose_name = _("Industry council")
