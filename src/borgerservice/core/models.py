"""Background tasks stored in the database (the "database" tasks backend)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("task"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="waiting")
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [
            models.Index(
                fields=["run_after"], name="task_waiting_idx", condition=Q(state="waiting")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"
