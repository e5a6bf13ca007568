from django.core.management.base import BaseCommand, CommandError

from borgerservice.accounts.services import demo_staff_create
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = "Create demo staff users and print their logins (only with DEMO=1)."

    def handle(self, *args, **options):
        try:
            logins = demo_staff_create()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("Demo logins (username / password / role):")
        for login in logins:
            self.stdout.write(f"  {login.username} / {login.password} / {login.role}")
