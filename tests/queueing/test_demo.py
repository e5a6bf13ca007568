"""The demo queues: four groups with catalogue services and 6–10 counters per service
centre, idempotent, and only with DEMO=1."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from borgerservice.catalogue.models import ServiceCentre
from borgerservice.queueing.demo import demo_queues_create
from borgerservice.queueing.models import Counter, QueueGroup

pytestmark = pytest.mark.django_db


def test_every_service_centre_gets_queues_and_counters():
    result = demo_queues_create()
    centres = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE)
    assert result.centres == centres.count() > 0
    for centre in centres:
        groups = list(centre.queue_groups.order_by("sort_order"))
        assert [g.prefix for g in groups] == ["A", "B", "C", "D"]
        assert groups[0].name_da == "Pas og kørekort"
        assert "stat-pas-og-koerekort" in groups[0].services.values_list("code", flat=True)
        assert "ksr-folkeregister-flytteanmeldelser" in groups[1].services.values_list(
            "code", flat=True
        )
        assert "suf-folkepension" in groups[2].services.values_list("code", flat=True)
        assert 6 <= centre.counters.count() <= 10
    assert not QueueGroup.objects.filter(centre__kind=ServiceCentre.Kind.CONTACT_CENTRE).exists()
    assert len({c.counters.count() for c in centres}) > 1  # the centres differ


def test_running_twice_adds_nothing_and_keeps_changes():
    demo_queues_create()
    QueueGroup.objects.filter(prefix="D").update(name_da="Andet")
    groups, counters = QueueGroup.objects.count(), Counter.objects.count()
    again = demo_queues_create()
    assert (again.groups, again.counters) == (0, 0)
    assert (QueueGroup.objects.count(), Counter.objects.count()) == (groups, counters)
    assert set(QueueGroup.objects.filter(prefix="D").values_list("name_da", flat=True)) == {"Andet"}


def test_the_command_and_if_empty(settings, capsys):
    settings.DEMO = True
    call_command("make_demo_queues", "--if-empty")
    assert QueueGroup.objects.exists()
    call_command("make_demo_queues", "--if-empty")
    assert "exist already" in capsys.readouterr().out


def test_the_command_refuses_without_demo(settings):
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("make_demo_queues")
    assert not QueueGroup.objects.exists()
