from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "borgerservice.analytics"
    label = "analytics"
    verbose_name = _("Management information and planning")

    def ready(self) -> None:
        from . import signals

        signals.connect()
