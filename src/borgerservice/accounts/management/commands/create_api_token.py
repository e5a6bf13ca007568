"""Create an API bearer token for a staff member (printed once; only its hash is kept)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from borgerservice.api.auth import api_token_create


class Command(BaseCommand):
    help = "Create an API token acting as the given staff member."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No staff member is called {options['username']}.")
        key = api_token_create(user=user, name=options["name"])
        self.stdout.write(key)
