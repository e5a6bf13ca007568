"""Letters and messages to citizens: written here first, delivered by a sender after commit."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Route(models.TextChoices):
        DIGITAL_POST = "digital_post", _("Digital Post")
        EMAIL = "email", _("Email")
        PAPER = "paper", _("Letter on paper")

    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, related_name="outbox_messages"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    sender = models.CharField(_("sent by"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing letter")
        verbose_name_plural = _("outgoing letters")
        indexes = [models.Index(fields=["citizen", "-created_at"], name="outbox_citizen_idx")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.state})"
