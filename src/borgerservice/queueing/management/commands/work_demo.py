"""Create demo work queues, give the demo agents skills and register some demo work (DEMO=1).

Three queues by service area; every staff member of a person role gets the skills. Some items
are backdated beyond their queue's overflow threshold and overflowed, so the demo front-office
agent of a citizen service centre (who only gets overflow) has work to take.

Each department that owns services also gets a catch-all queue (its department set, no
services): the triage of written inquiries routes a message of any of its services there when
no other queue names the service. These are ensured on every run, also with ``--if-empty``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from borgerservice.accounts.roles import PERSON_ROLES
from borgerservice.catalogue.models import Department, Service
from borgerservice.queueing import work
from borgerservice.queueing.models import AgentSkill, WorkItem, WorkQueue

QUEUES = (
    # code, Danish name, English name, service areas, overflow minutes
    (
        "folkeregister",
        "Flytning og folkeregister",
        "Moving and the CPR register",
        ["folkeregister"],
        30,
    ),
    ("sundhed", "Sygesikring og sundhedskort", "Health insurance and cards", ["sygesikring"], 60),
    (
        "pension",
        "Pension og boligstøtte",
        "Pensions and housing benefit",
        ["pension", "sikringsydelser"],
        120,
    ),
)
ITEMS = (
    # queue, kind, subject, minutes ago, phone / email
    ("folkeregister", "email", "Spørgsmål om flytning til udlandet", 95, "borger@example.dk"),
    ("folkeregister", "call_back", "Vil gerne ringes op om adresseændring", 45, "33663366"),
    ("folkeregister", "web_message", "Forkert adresse i registeret", 5, ""),
    ("sundhed", "email", "Nyt sundhedskort efter navneændring", 80, "navn@example.dk"),
    ("sundhed", "call_back", "Skift af læge", 10, "40404040"),
    ("pension", "web_message", "Hvornår udbetales folkepensionen?", 20, ""),
)


class Command(BaseCommand):
    help = "Create demo work queues, agent skills and work items (DEMO=1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when there are none")

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("Refusing to create demo work: DEMO is not enabled.")
        catch_all = self.department_queues()
        if options["if_empty"] and WorkQueue.objects.exclude(pk__in=catch_all).exists():
            self.give_skills(WorkQueue.objects.filter(pk__in=catch_all))
            self.stdout.write(
                f"work queues exist already; no demo work created "
                f"({len(catch_all)} department queues ensured)"
            )
            return
        queues = {}
        for code, name_da, name_en, areas, overflow in QUEUES:
            queue, _created = WorkQueue.objects.update_or_create(
                code=code,
                defaults={"name_da": name_da, "name_en": name_en, "overflow_minutes": overflow},
            )
            queue.services.set(Service.objects.filter(area__code__in=areas))
            queues[code] = queue
        agents = list(
            get_user_model()
            .objects.filter(groups__name__in=PERSON_ROLES, is_active=True)
            .distinct()
        )
        skilled = [*queues.values(), *WorkQueue.objects.filter(pk__in=catch_all)]
        for agent in agents:
            for queue in skilled:
                AgentSkill.objects.get_or_create(user=agent, queue=queue)
        creator = agents[0] if agents else None
        if creator is None:
            raise CommandError("Create the demo staff first (create_demo_staff).")
        now = timezone.now()
        made = 0
        for queue, kind, subject, minutes, contact in ITEMS:
            key = f"demo-work-{queue}-{subject}"[:100]
            if WorkItem.objects.filter(idempotency_key=key).exists():
                continue  # registered by an earlier run
            data = work.WorkItemInput(
                kind=kind,
                subject=subject,
                queue=queue,
                phone=contact if kind == "call_back" else "",
                reply_email=contact if kind == "email" else "",
                received_at=now - timedelta(minutes=minutes),
            )
            work.work_item_create(user=creator, data=data, idempotency_key=key)
            made += 1
        work.work_overflow(now=now)
        self.stdout.write(
            f"demo work: {len(queues)} queues and {len(catch_all)} department queues, "
            f"{len(agents)} agents with skills, "
            f"{made} new items ({WorkItem.objects.filter(state='queued').count()} waiting)"
        )

    def department_queues(self) -> list[int]:
        """One catch-all queue per department that owns services (created once; a queue a
        team lead changed or closed later is left as it is)."""
        ids = []
        for n, department in enumerate(
            Department.objects.filter(services__isnull=False).distinct().order_by("code")
        ):
            queue, _created = WorkQueue.objects.get_or_create(
                code=f"afdeling-{department.slug}"[:40],
                defaults={
                    "name_da": f"{department.name_da} (alle henvendelser)",
                    "name_en": f"{department.name_en} (all inquiries)",
                    "department": department,
                    "sort_order": 100 + n,
                },
            )
            ids.append(queue.pk)
        return ids

    def give_skills(self, queues) -> None:
        agents = (
            get_user_model()
            .objects.filter(groups__name__in=PERSON_ROLES, is_active=True)
            .distinct()
        )
        for agent in agents:
            for queue in queues:
                AgentSkill.objects.get_or_create(user=agent, queue=queue)
