"""Self-service application forms on Min side and what citizens submit with them.

A ``FormDefinition`` belongs to one catalogue service and has a version; at most one
version per service is active (a partial unique constraint). Its questions
(``FormField``) are grouped in ordered steps (``FormStep``); a question may be shown
only when an earlier answer has a given value (``show_if``). A form may name a rule set
of the decisions engine: then its question names are the rule set's inputs and a
submission can be decided at once.

A ``Submission`` is one application sent: the answers as JSON, the case it created and
the idempotency key of the citizen's draft, unique in the database, so a reload or a
second press of the button never creates a second case.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.i18n import BilingualMixin


class FormDefinition(BilingualMixin, models.Model):
    """One version of the application form of a service."""

    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="self_service_forms",
        verbose_name=_("service"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Citizens fill in the active version. At most one version per service."),
    )
    title_da = models.CharField(_("Danish title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    intro_da = models.TextField(_("Danish introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)
    you_need_da = models.TextField(
        _("what you need (Danish)"),
        blank=True,
        help_text=_("One item a line. Empty: what the service says the citizen must bring."),
    )
    you_need_en = models.TextField(_("what you need (English)"), blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("minutes it takes"), default=10, help_text=_("About how long filling in takes.")
    )
    rule_set = models.CharField(
        _("rule set"),
        max_length=40,
        blank=True,
        help_text=_(
            "Code of a rule set of the decisions engine that decides applications at once. "
            "The form's question names must then be the rule set's inputs."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["service__name_da", "-version"]
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "version"], name="selfservice_form_version_unique"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(active=True),
                name="selfservice_one_active_form",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="selfservice_form_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1), name="selfservice_form_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_da} (v{self.version})"

    @property
    def title(self) -> str:
        return self.t("title")

    def you_need(self) -> list[str]:
        own = [line.strip() for line in (self.t("you_need") or "").splitlines() if line.strip()]
        if own:
            return own
        return list(self.service.t("bring") or [])

    def clean(self) -> None:
        errors = {}
        if self.rule_set:
            from .validation import rule_set_or_none

            spec = rule_set_or_none(self.rule_set)
            if spec is None:
                errors["rule_set"] = _("The decisions engine has no rule set %(code)s.") % {
                    "code": self.rule_set
                }
        if (
            self.active
            and self.service_id
            and FormDefinition.objects.filter(service_id=self.service_id, active=True)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["active"] = _(
                "Another version of this service's form is active. Make it inactive first."
            )
        if errors:
            raise ValidationError(errors)


class FormStep(BilingualMixin, models.Model):
    """A page of the form: its questions are answered together."""

    form = models.ForeignKey(
        FormDefinition, on_delete=models.CASCADE, related_name="steps", verbose_name=_("form")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title_da = models.CharField(_("Danish title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    intro_da = models.TextField(_("Danish introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)

    class Meta:
        ordering = ["form_id", "position", "id"]
        verbose_name = _("form step")
        verbose_name_plural = _("form steps")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "position"], name="selfservice_step_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title_da}"

    @property
    def title(self) -> str:
        return self.t("title")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Amount or decimal number")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes or no")
    RADIO = "radio", _("One choice (radio buttons)")
    CHECKBOX = "checkbox", _("Several choices (checkboxes)")
    SELECT = "select", _("One choice (drop-down list)")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    CPR = "cpr", _("CPR number")


CHOICE_KINDS = frozenset({FieldKind.RADIO, FieldKind.CHECKBOX, FieldKind.SELECT})
NUMBER_KINDS = frozenset({FieldKind.INTEGER, FieldKind.DECIMAL})
TEXT_KINDS = frozenset({FieldKind.TEXT, FieldKind.TEXTAREA})
GROUP_KINDS = frozenset({FieldKind.RADIO, FieldKind.CHECKBOX, FieldKind.YES_NO})
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class FormField(BilingualMixin, models.Model):
    """One question of a form."""

    form = models.ForeignKey(
        FormDefinition, on_delete=models.CASCADE, related_name="fields", verbose_name=_("form")
    )
    step = models.ForeignKey(
        FormStep, on_delete=models.CASCADE, related_name="fields", verbose_name=_("step")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.SlugField(
        _("name"),
        max_length=50,
        help_text=_(
            "Lower-case letters, digits and underscores, unique in the form. For a form with a "
            "rule set: the rule set's input name."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    label_da = models.CharField(_("Danish question"), max_length=300)
    label_en = models.CharField(_("English question"), max_length=300)
    hint_da = models.TextField(_("Danish hint"), blank=True)
    hint_en = models.TextField(_("English hint"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choice kinds: [{"value": "a", "label_da": "…", "label_en": "…"}, …]'),
    )
    min_value = models.DecimalField(
        _("smallest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("longest text"), null=True, blank=True)
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression the whole answer must match (text kinds)."),
    )
    show_if = models.JSONField(
        _("show only if"),
        null=True,
        blank=True,
        help_text=_(
            'Ask only when an earlier answer has a value: {"field": "single_provider", '
            '"equals": "yes"} (or "in": ["a", "b"]).'
        ),
    )

    class Meta:
        ordering = ["form_id", "step__position", "position", "id"]
        verbose_name = _("form question")
        verbose_name_plural = _("form questions")
        constraints = [
            models.UniqueConstraint(fields=["form", "name"], name="selfservice_field_name_unique"),
            models.UniqueConstraint(
                fields=["step", "position"], name="selfservice_field_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in FieldKind]),
                name="selfservice_field_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="selfservice_field_min_below_max",
            ),
            models.CheckConstraint(
                condition=Q(max_length__isnull=True) | Q(max_length__gte=1),
                name="selfservice_field_max_length_positive",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="selfservice_field_has_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.label_da}"

    @property
    def label(self) -> str:
        return self.t("label")

    @property
    def hint(self) -> str:
        return self.t("hint")

    @property
    def html_id(self) -> str:
        """The id of the input (the first option's for a group): error links point here."""
        return f"field-{self.name.replace('_', '-')}"

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    def choice_list(self) -> list[dict]:
        """The choices as [{"value", "label"}] in the active language (yes/no built in)."""
        from borgerservice.core.i18n import current_language

        if self.kind == FieldKind.YES_NO:
            from django.utils.translation import gettext

            return [
                {"value": "yes", "label": gettext("Yes")},
                {"value": "no", "label": gettext("No")},
            ]
        language = current_language()
        items = []
        for item in self.choices or []:
            label = item.get(f"label_{language}") or item.get("label_da") or item.get("value")
            items.append({"value": str(item.get("value")), "label": label})
        return items

    def choice_label(self, value) -> str:
        for item in self.choice_list():
            if item["value"] == value:
                return item["label"]
        return str(value)

    def clean(self) -> None:
        from .validation import field_definition_errors

        errors = field_definition_errors(self)
        if errors:
            raise ValidationError(errors)


class Submission(models.Model):
    """One application sent from Min side: the answers and the case they became."""

    class Outcome(models.TextChoices):
        NONE = "", _("No instant decision")
        GRANTED = "granted", _("Granted at once")
        REFUSED = "refused", _("Refused at once")
        MANUAL = "manual", _("Left to a caseworker")

    form = models.ForeignKey(
        FormDefinition,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("form"),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        related_name="self_service_submissions",
        verbose_name=_("citizen"),
        db_index=False,  # selfservice_submission_cit_idx starts with the citizen
    )
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="self_service_submission",
        verbose_name=_("case"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.PROTECT,
        related_name="self_service_submissions",
        verbose_name=_("contact"),
    )
    document = models.ForeignKey(
        "cases.CaseDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answers document"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    outcome = models.CharField(
        _("instant decision"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    language = models.CharField(_("language"), max_length=8, default="da")
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submitted application")
        verbose_name_plural = _("submitted applications")
        indexes = [
            models.Index(fields=["citizen", "-created_at"], name="selfservice_submission_cit_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="selfservice_submission_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="selfservice_submission_has_key"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "granted", "refused", "manual"]),
                name="selfservice_submission_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}:{self.case_id}"
