"""A stored instant decision: what the rules decided for a citizen, with the rule version,
the inputs used and the explanation, so the decision can be shown and checked later
exactly as it was made (forvaltningsloven §§ 22-25: reasons and complaint guidance)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class InstantDecision(models.Model):
    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        MANUAL = "manual", _("Sent to a caseworker")

    rule_set = models.CharField(_("rule set"), max_length=40)
    rule_version = models.CharField(_("rule version"), max_length=80)
    decided_on = models.DateField(_("decision date"))
    inputs = models.JSONField(_("inputs used"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    percentage = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    details = models.JSONField(_("what was granted"), default=dict, blank=True)
    explanation = models.JSONField(_("explanation"), default=list)
    reasons = models.JSONField(_("reasons for a manual outcome"), default=list, blank=True)
    complaint_guidance_da = models.TextField(_("complaint guidance (Danish)"), blank=True)
    complaint_guidance_en = models.TextField(_("complaint guidance (English)"), blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        related_name="instant_decisions",
        verbose_name=_("citizen"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instant_decisions",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("instant decision")
        verbose_name_plural = _("instant decisions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["granted", "refused", "manual"]),
                name="instant_decision_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="instant_decision_amount_gte_0",
            ),
            models.CheckConstraint(
                condition=models.Q(percentage__isnull=True)
                | models.Q(percentage__gte=0, percentage__lte=100),
                name="instant_decision_percentage_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "-created_at"], name="instant_dec_citizen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.outcome} {self.decided_on}"

    # --- for the templates: the stored Danish and English texts in the active language --

    @property
    def _english(self) -> bool:
        return (translation.get_language() or "da").startswith("en")

    @property
    def rule_set_name(self) -> str:
        from .engine import RULE_SETS

        rules = RULE_SETS.get(self.rule_set)
        return str(rules.name) if rules else self.rule_set

    @property
    def steps(self) -> list[dict]:
        """The explanation's steps with ``text`` in the active language."""
        key = "text_en" if self._english else "text_da"
        return [{**step, "text": step.get(key, "")} for step in self.explanation]

    @property
    def sources(self) -> list[dict]:
        """Every parameter value the decision used, once each, with ``description`` in the
        active language."""
        key = "description_en" if self._english else "description_da"
        seen: dict[tuple, dict] = {}
        for step in self.explanation:
            for cited in step.get("parameters", []):
                seen.setdefault(
                    (cited["parameter"], cited["valid_from"]),
                    {**cited, "description": cited.get(key) or cited["parameter"]},
                )
        return list(seen.values())

    @property
    def uses_example_values(self) -> bool:
        return any(cited.get("example") for cited in self.sources)

    @property
    def allowances(self) -> list[dict]:
        """For børnetilskud: each allowance granted with its Danish/English name."""
        names = {
            "ordinary": ("Ordinært børnetilskud", "Ordinary child supplement"),
            "extra": ("Ekstra børnetilskud", "Extra child supplement"),
        }
        index = 1 if self._english else 0
        return [
            {**item, "name": names.get(item.get("allowance"), (item.get("allowance"),) * 2)[index]}
            for item in (self.details or {}).get("allowances", [])
        ]

    @property
    def complaint_guidance(self) -> str:
        return self.complaint_guidance_en if self._english else self.complaint_guidance_da
