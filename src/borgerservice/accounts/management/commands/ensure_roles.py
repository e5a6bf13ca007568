from django.core.management.base import BaseCommand

from borgerservice.accounts.roles import roles_ensure


class Command(BaseCommand):
    help = "Create the staff role groups and their permissions. Idempotent."

    def handle(self, *args, **options):
        groups = roles_ensure()
        self.stdout.write("Roles: " + ", ".join(sorted(groups)))
