from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "borgerservice.booking"
    label = "booking"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the background tasks)
