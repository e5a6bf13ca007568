from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "borgerservice.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from . import signals  # noqa: F401
