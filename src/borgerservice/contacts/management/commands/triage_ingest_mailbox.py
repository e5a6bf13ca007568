import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from borgerservice.contacts.inbox import inbound_message_receive, message_from_email
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Read the emails of a Maildir directory or an mbox file into the inbox, where they are "
        "classified and routed. Safe to run again: a mail already filed (same Message-ID) is "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a Maildir directory or an mbox file")

    def handle(self, *args, **options):
        path: Path = options["path"]
        if path.is_dir():
            if not (path / "new").is_dir() and not (path / "cur").is_dir():
                raise CommandError(f"{path} is a directory but not a Maildir (no new/ or cur/).")
            box = mailbox.Maildir(path, factory=None, create=False)
        elif path.is_file():
            box = mailbox.mbox(path, factory=None, create=False)
        else:
            raise CommandError(f"{path} does not exist.")
        filed = again = refused = routed = 0
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            try:
                message, created = inbound_message_receive(data=message_from_email(raw))
            except ServiceError as exc:
                refused += 1
                self.stderr.write(f"mail {key}: {exc.message}")
                continue
            if created:
                filed += 1
                routed += message.state == "routed"
            else:
                again += 1
        self.stdout.write(
            f"{filed} new messages ({routed} routed automatically, {filed - routed} waiting for "
            f"triage), {again} filed before, {refused} refused"
        )
