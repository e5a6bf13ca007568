"""Writing letters to citizens and delivering them after commit."""

from __future__ import annotations

from django.utils import timezone

from borgerservice.core.tasks import enqueue, task

from .models import OutboxMessage
from .senders import current_sender


def letter_send(*, citizen, subject: str, body: str, case=None) -> OutboxMessage:
    """Write a letter to the citizen; it is delivered once the transaction commits."""
    route = (
        OutboxMessage.Route.PAPER
        if citizen.digital_post_exempt
        else OutboxMessage.Route.DIGITAL_POST
    )
    message = OutboxMessage.objects.create(
        citizen=citizen, case=case, route=route, subject=subject[:200], body=body
    )
    enqueue("outbox.deliver", message_id=message.pk)
    return message


@task("outbox.deliver")
def deliver(*, message_id: int) -> None:
    message = OutboxMessage.objects.select_related("citizen").get(pk=message_id)
    if message.state == OutboxMessage.State.SENT:
        return  # delivered already (a retried task)
    sender = current_sender()
    try:
        sender.deliver(message)
    except Exception as exc:  # the letter is kept, marked failed with the reason, for staff
        message.state = OutboxMessage.State.FAILED
        message.error = str(exc)[:2000]
        message.sender = sender.name
        message.save(update_fields=["state", "error", "sender"])
        return
    message.state = OutboxMessage.State.SENT
    message.sender = sender.name
    message.sent_at = timezone.now()
    message.save(update_fields=["state", "sender", "sent_at"])
