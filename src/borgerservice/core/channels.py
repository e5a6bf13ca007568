"""Contact channels shared by every app (catalogue, contacts, analytics)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    SELF_SERVICE = "self_service", _("Self-service")
    CHAT_SMS = "chat_sms", _("Chat/SMS")
    OUTREACH = "outreach", _("Outreach")
