"""The municipality's service catalogue.

Departments (the current structure and the 2005 codes used in the task list of
the 2005 report, plus external authorities), service areas with their volume
figures from the 2010 analysis, services with the staff guidance, life
situations, service centres with opening hours and the KLE topics.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel
from borgerservice.core.i18n import BilingualMixin


class Department(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        CURRENT = "current", _("Current department")
        FORMER = "former", _("Department of the 2005 structure")
        EXTERNAL = "external", _("External authority")

    slug = models.SlugField(_("slug"), max_length=20, unique=True)
    code = models.CharField(_("code"), max_length=12)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_da = models.TextField(_("Danish description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor departments"),
        help_text=_("For a 2005 department: the current departments its tasks moved to."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["kind", "sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["code", "kind"], name="department_code_kind_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["current", "former", "external"]),
                name="department_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ServiceArea(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Organisational unit")
        TOPIC = "topic", _("Topic")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="areas",
        verbose_name=_("department"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )

    class Meta:
        ordering = ["name_da"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="area_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class AreaVolume(models.Model):
    """Yearly figures for an area: FTE, contacts, cases and channel split (001 tables 2–21)."""

    class ChannelUnit(models.TextChoices):
        COUNT = "count", _("Number of contacts")
        PERCENT = "percent", _("Per cent of contacts")

    area = models.ForeignKey(
        ServiceArea, on_delete=models.CASCADE, related_name="volumes", verbose_name=_("area")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source_tables = models.CharField(_("source tables"), max_length=40, blank=True)
    in_table2_total = models.BooleanField(
        _("part of the table 2 total"),
        default=False,
        help_text=_("True for the organisational areas whose figures make up table 2 of 001."),
    )
    fte = models.DecimalField(_("FTE"), max_digits=7, decimal_places=1, null=True, blank=True)
    contacts = models.PositiveIntegerField(_("contacts"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("cases"), null=True, blank=True)
    applications = models.PositiveIntegerField(_("applications"), null=True, blank=True)
    resolved_count = models.PositiveIntegerField(
        _("resolved at once or by rule-based handling"), null=True, blank=True
    )
    resolved_share_pct = models.DecimalField(
        _("share resolved at once or rule-based (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    budget_tdkk = models.PositiveIntegerField(_("budget (1,000 DKK)"), null=True, blank=True)
    budget_excl_benefits_tdkk = models.PositiveIntegerField(
        _("budget excluding benefits and project funds (1,000 DKK)"), null=True, blank=True
    )
    channel_unit = models.CharField(
        _("unit of the channel split"),
        max_length=10,
        choices=ChannelUnit.choices,
        default=ChannelUnit.COUNT,
    )
    channel_personal = models.DecimalField(
        _("personal"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    channel_written = models.DecimalField(
        _("written"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    channel_phone = models.DecimalField(
        _("phone"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    channel_digital = models.DecimalField(
        _("digital"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    channel_email = models.DecimalField(
        _("email"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    note_da = models.TextField(_("Danish note"), blank=True)
    note_en = models.TextField(_("English note"), blank=True)

    CHANNEL_FIELDS = ("personal", "written", "phone", "digital", "email")

    class Meta:
        ordering = ["area__name_da", "year"]
        verbose_name = _("area volume")
        verbose_name_plural = _("area volumes")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="area_volume_area_year_unique"),
            models.CheckConstraint(
                condition=Q(resolved_share_pct__isnull=True)
                | Q(resolved_share_pct__gte=0, resolved_share_pct__lte=100),
                name="area_volume_share_is_percentage",
            ),
            models.CheckConstraint(
                condition=Q(fte__isnull=True) | Q(fte__gte=0), name="area_volume_fte_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="area_volume_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}"

    @property
    def channels(self) -> dict[str, int | None]:
        return {name: getattr(self, f"channel_{name}") for name in self.CHANNEL_FIELDS}


class ServiceLevelTarget(BilingualMixin, models.Model):
    """A service-level figure for an area (processing time, first-contact resolution …)."""

    area = models.ForeignKey(
        ServiceArea, on_delete=models.CASCADE, related_name="sla_targets", verbose_name=_("area")
    )
    measure_da = models.CharField(_("Danish measure"), max_length=300)
    measure_en = models.CharField(_("English measure"), max_length=300)
    target = models.CharField(_("target"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    note_da = models.TextField(_("Danish note"), blank=True)
    note_en = models.TextField(_("English note"), blank=True)

    class Meta:
        ordering = ["area__name_da", "measure_da"]
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")
        constraints = [
            models.UniqueConstraint(fields=["area", "measure_da"], name="sla_area_measure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.t('measure')}"


class LifeSituation(BilingualMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_da = models.TextField(_("Danish description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return self.name


class KleTopic(models.Model):
    """A KLE number with its title and the OS2KLE keywords (imported by ``import_kle``)."""

    code = models.CharField(_("KLE number"), max_length=8, unique=True)
    title = models.CharField(_("title"), max_length=300)
    keywords = models.JSONField(
        _("keywords"), default=list, help_text=_("List of [keyword, weight] pairs.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("KLE topic")
        verbose_name_plural = _("KLE topics")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}(\.[0-9]{2}){0,2}$"), name="kle_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Service(BilingualMixin, models.Model):
    class HandledIn(models.TextChoices):
        FRONT_OFFICE = "front_office", _("Citizen service front office only")
        FRONT_AND_BACK = "front_and_back", _("Front and back office")
        DEPARTMENT = "department", _("The department")

    class Status(models.TextChoices):
        EXISTING = "existing", _("Already in citizen service (x)")
        NEW = "new", _("New in citizen service (Ny)")

    class TaskList(models.TextChoices):
        INFORMATION = "information", _("Information and guidance tasks")
        RULE_BASED = "rule_based", _("Tasks with rule-based casework")
        PO_OFFICE = "po_office", _("Tasks shared with the pension and care (P/O) offices")
        DEPARTMENT = "department", _("Tasks left in the departments")

    LEVEL_BY_LIST = {
        TaskList.INFORMATION: 1,
        TaskList.RULE_BASED: 2,
        TaskList.PO_OFFICE: 2,
        TaskList.DEPARTMENT: 3,
    }

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_da = models.TextField(_("citizen description (Danish)"))
    description_en = models.TextField(_("citizen description (English)"))
    guidance_da = models.TextField(_("staff guidance (Danish)"))
    guidance_en = models.TextField(_("staff guidance (English)"))
    bring_da = models.JSONField(_("the citizen must bring (Danish)"), default=list, blank=True)
    bring_en = models.JSONField(_("the citizen must bring (English)"), default=list, blank=True)
    elsewhere_da = models.TextField(_("where the rest is handled (Danish)"), blank=True)
    elsewhere_en = models.TextField(_("where the rest is handled (English)"), blank=True)
    note_da = models.TextField(_("note (Danish)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("owning department"),
    )
    source_departments = models.ManyToManyField(
        Department,
        related_name="source_services",
        verbose_name=_("department in the 2005 task list"),
    )
    area = models.ForeignKey(
        ServiceArea,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("service area"),
    )
    task_lists = models.JSONField(_("task lists in the 2005 report"), default=list)
    level_1 = models.BooleanField(_("level 1: information and guidance"), default=False)
    level_2 = models.BooleanField(_("level 2: rule-based decision"), default=False)
    level_3 = models.BooleanField(_("level 3: decision with significant discretion"), default=False)
    handled_in = models.CharField(_("handled in"), max_length=20, choices=HandledIn.choices)
    status = models.CharField(_("in citizen service"), max_length=10, choices=Status.choices)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices
    )
    self_service = models.BooleanField(_("self-service exists"), default=False)
    sla_working_days = models.PositiveSmallIntegerField(
        _("processing-time target (working days)"), null=True, blank=True
    )
    sla_note = models.CharField(_("source of the target"), max_length=300, blank=True)
    life_situations = models.ManyToManyField(
        LifeSituation, blank=True, related_name="services", verbose_name=_("life situations")
    )
    kle_code = models.CharField(_("KLE number"), max_length=8, blank=True)
    synonyms_da = models.JSONField(_("Danish synonyms"), default=list, blank=True)
    synonyms_en = models.JSONField(_("English synonyms"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name_da"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(level_1=True) | Q(level_2=True) | Q(level_3=True),
                name="service_has_a_level",
            ),
            models.CheckConstraint(
                condition=Q(sla_working_days__isnull=True) | Q(sla_working_days__gte=1),
                name="service_sla_positive",
            ),
            models.CheckConstraint(
                condition=Q(kle_code="") | Q(kle_code__regex=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"),
                name="service_kle_code_format",
            ),
            models.CheckConstraint(
                condition=Q(handled_in__in=["front_office", "front_and_back", "department"]),
                name="service_handled_in_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def levels(self) -> list[int]:
        return [n for n in (1, 2, 3) if getattr(self, f"level_{n}")]

    @property
    def highest_level(self) -> int:
        return max(self.levels)

    @property
    def channels(self) -> list[str]:
        # Reads the prefetched links when present, so lists do not query per row.
        return [link.channel for link in self.channel_links.all()]

    @classmethod
    def levels_for(cls, task_lists: list[str]) -> set[int]:
        return {cls.LEVEL_BY_LIST[name] for name in task_lists}

    @classmethod
    def handled_in_for(cls, task_lists: list[str]) -> str:
        """Where a task is handled, from the lists it is on.

        On the list of tasks left in the departments → the department; on the
        P/O list → front and back office together; otherwise the citizen-service
        front office handles it (informs, or decides rule-based on the spot).
        """
        if cls.TaskList.DEPARTMENT in task_lists:
            return cls.HandledIn.DEPARTMENT
        if cls.TaskList.PO_OFFICE in task_lists:
            return cls.HandledIn.FRONT_AND_BACK
        return cls.HandledIn.FRONT_OFFICE


class ServiceChannel(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channel_links")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)

    class Meta:
        ordering = ["service", "channel"]
        verbose_name = _("service channel")
        verbose_name_plural = _("service channels")
        constraints = [
            models.UniqueConstraint(fields=["service", "channel"], name="service_channel_unique"),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]),
                name="service_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}:{self.channel}"


class ServiceCentre(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        SERVICE_CENTRE = "service_centre", _("Citizen service centre")
        CONTACT_CENTRE = "contact_centre", _("Contact centre")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description_da = models.TextField(_("Danish description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Line(models.TextChoices):
        GENERAL = "general", _("General opening hours")
        BENEFITS_PHONE = "benefits_phone", _("Benefits phone line")

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="opening_hours"
    )
    line = models.CharField(_("line"), max_length=20, choices=Line.choices, default=Line.GENERAL)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["centre", "line", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "line", "weekday"], name="opening_hours_one_per_day"
            ),
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="opening_before_close"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CatalogueState(models.Model):
    """A single row whose version changes whenever catalogue content changes.

    Each process keeps its search index in memory and rebuilds it when the
    version it was built from is no longer the current one, so several app
    servers stay consistent without a shared cache.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="catalogue_state_singleton")]

    def __str__(self) -> str:
        return f"catalogue version {self.version}"
