"""What the citizen chooses on Min side: language and how to be notified."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CitizenPreference(models.Model):
    class NotifyBy(models.TextChoices):
        DIGITAL_POST = "digital_post", _("Digital Post")
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message (SMS)")
        NONE = "none", _("Only on Min side")

    citizen = models.OneToOneField(
        "citizens.Citizen", on_delete=models.CASCADE, related_name="portal_preference"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=[("da", "Dansk"), ("en", "English")], default="da"
    )
    notify_by = models.CharField(
        _("notify me by"), max_length=20, choices=NotifyBy.choices, default=NotifyBy.DIGITAL_POST
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("citizen preference")
        verbose_name_plural = _("citizen preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["da", "en"]), name="portal_pref_language"
            ),
            models.CheckConstraint(
                condition=~models.Q(notify_by="email") | ~models.Q(email=""),
                name="portal_pref_email_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(notify_by="sms") | ~models.Q(phone=""),
                name="portal_pref_phone_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id}: {self.language}, {self.notify_by}"
