"""`manage.py seed_demo`: load the demo workspace, or say it is already there."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from studies.demo.content import PASSWORD
from studies.demo.seed import demo_logins, demo_seed


class Command(BaseCommand):
    help = _(
        "Load the demo workspace: a study of how families store food at home, its team, "
        "12 households, four rounds, visits, observations, photos and tags. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_seed(log=self._progress):
            self.stdout.write(self.style.SUCCESS(_("The demo workspace is ready.")))
        else:
            self.stdout.write(_("The demo workspace is already loaded: nothing changed."))
        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (the password of every account is %(password)s):")
            % {"password": PASSWORD}
        )
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<7} {login.name:<17} {login.role}")
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and sign in.") % {"url": settings.RESEARCHHUB_SITE_URL})

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  · {line}")
