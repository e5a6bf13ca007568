"""Citizens identified by CPR number, their address and household relations."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .cpr import cpr_mask


class Citizen(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    cpr = models.CharField(_("CPR number"), max_length=10, unique=True)
    first_name = models.CharField(_("first and middle names"), max_length=200)
    last_name = models.CharField(_("last name"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=10, blank=True)
    floor = models.CharField(_("floor"), max_length=10, blank=True)
    door = models.CharField(_("door"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    moved_in_on = models.DateField(_("living at the address since"), null=True, blank=True)
    name_address_protected = models.BooleanField(_("name and address protection"), default=False)
    deceased_on = models.DateField(_("deceased"), null=True, blank=True)
    digital_post_exempt = models.BooleanField(_("exempt from Digital Post"), default=False)
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="da")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="citizen_name_idx"),
            models.Index(fields=["first_name"], name="citizen_first_name_idx"),
            models.Index(fields=["postcode"], name="citizen_postcode_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cpr__regex=r"^[0-9]{10}$"), name="citizen_cpr_digits"
            ),
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="citizen_sex_valid"),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=r"^[0-9]{4}$"),
                name="citizen_postcode_digits",
            ),
        ]

    def __str__(self) -> str:
        # Never the full CPR number: str() ends up in logs and admin lists.
        return f"{self.full_name} ({self.cpr_masked})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def cpr_masked(self) -> str:
        return cpr_mask(self.cpr)

    @property
    def address_line(self) -> str:
        parts = f"{self.street} {self.house_number}".strip()
        if self.floor or self.door:
            parts += ", " + " ".join(
                p for p in (f"{self.floor}." if self.floor else "", self.door) if p
            )
        return parts

    @property
    def postal_line(self) -> str:
        return f"{self.postcode} {self.city}".strip()


class Relation(models.Model):
    """A directed household relation: ``from_citizen`` is the partner/parent of ``to_citizen``."""

    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner")
        PARENT = "parent", _("Parent of")

    from_citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="relations_from"
    )
    to_citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("household relation")
        verbose_name_plural = _("household relations")
        constraints = [
            models.UniqueConstraint(
                fields=["from_citizen", "to_citizen", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_citizen=F("to_citizen")), name="relation_not_self"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["partner", "parent"]), name="relation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_citizen_id} {self.kind} {self.to_citizen_id}"
