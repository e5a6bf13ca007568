from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "borgerservice.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from borgerservice.citizens.panels import register_panel

        from . import decisions, notices, retention  # noqa: F401  (register background tasks)
        from .selectors import cases_panel

        register_panel(name="cases", order=5, template="cases/panel.html", build=cases_panel)
