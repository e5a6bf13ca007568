from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "borgerservice.queueing"
    label = "queueing"
    verbose_name = _("Queues and counters")

    def ready(self) -> None:
        from . import receivers, tasks, work_tasks  # noqa: F401  (registers the tasks)

        receivers.connect()
