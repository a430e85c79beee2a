"""`manage.py create_api_token <username> --name NAME`: make a token and print its key once."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from studies.accounts import services


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown this once, never stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Days until the token stops working (default: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["username"])
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            _token, key = services.api_token_create(
                user=user, name=options["name"], expires_at=expires_at
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        # The key alone on stdout, so a script can capture it; the advice goes to stderr.
        self.stdout.write(key)
        self.stderr.write("Keep this key now: it is not stored and cannot be shown again.")
