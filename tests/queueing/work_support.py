"""Work queues, agents and items for the work-item routing tests."""

from __future__ import annotations

from borgerservice.accounts.models import StaffProfile
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.queueing import work
from borgerservice.queueing.models import AgentSkill, WorkQueue
from tests.accounts.staff import FRONT_OFFICE, make_staff


def make_queues():
    services = list(Service.objects.order_by("code")[:3])
    pas = WorkQueue.objects.create(
        code="pas", name_da="Pas og kørekort", name_en="Passports", overflow_minutes=30
    )
    pas.services.set(services[:2])
    skat = WorkQueue.objects.create(
        code="skat", name_da="Skat", name_en="Tax", overflow_minutes=None, sort_order=1
    )
    skat.services.set(services[2:])
    return {"pas": pas, "skat": skat}, services


def make_agent(username: str, queues, *, role=FRONT_OFFICE, centre: str | None = None, level=2):
    user = make_staff(role, username=username)
    for queue in queues:
        AgentSkill.objects.create(user=user, queue=queue, proficiency=level)
    if centre is not None:
        StaffProfile.objects.update_or_create(
            user=user, defaults={"centre": ServiceCentre.objects.get(code=centre)}
        )
    return user


def service_centre_code() -> str:
    return ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).first().code


def contact_centre_code() -> str | None:
    centre = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.CONTACT_CENTRE).first()
    return centre.code if centre else None


def new_item(user, queue="pas", kind="email", subject="Spørgsmål om pas", **extra):
    data = work.WorkItemInput(kind=kind, subject=subject, queue=queue, **extra)
    item, _created = work.work_item_create(user=user, data=data)
    return item
