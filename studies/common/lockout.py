"""Sign-in lock-out: django-axes, made race-safe, with our page and an audited lift.

Axes checks the lock before a password is checked and counts the failure after it, so
requests for one account that arrive together could all pass the check and each have a
password tried: a guesser sending 50 at once would get 50 guesses, not the limit. The sign-in
forms therefore check the lock, the password and record the failure in one transaction
that first takes the account's row lock: tries for one account go one at a time, each
seeing the failures counted before it. (On SQLite every write transaction is serialised
already.) A name with no account has no row to lock; its tries may overshoot the limit,
which costs nothing, as no password can be right for it.

An answer tells the truth about the password: a try whose password was checked is
answered as usual (wrong credentials, or signed in), and only a try refused without
looking at the password gets the lock-out page (429).
"""

import datetime as dt
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from studies.common.audit import audit_record
from studies.common.models import AuditAction, User


class SignInLockoutBackend(AxesStandaloneBackend):
    """Axes' lock-out check, first of the authentication backends.

    A sign-in with no request (the test client's login(), a shell) has no client to lock
    out: it goes on to the next backend instead of failing with axes' error. Every sign-in
    over HTTP (the sign-in page, the admin's) passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_refused_while_locked = True  # type: ignore[attr-defined]
            raise


class SerialisedSignInMixin:
    """Checks the lock, the password and counts a failure under the account's row lock."""

    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        refusal: ValidationError | None = None
        with transaction.atomic():
            username = self.cleaned_data.get("username") or ""
            list(
                User.objects.select_for_update()
                .filter(**{User.USERNAME_FIELD: username})
                .values_list("pk", flat=True)
            )
            try:
                cleaned = super().clean()  # type: ignore[misc]
            except ValidationError as error:
                # Raised after the commit: the failure axes recorded must be kept.
                refusal = error
        if refusal is not None:
            raise refusal
        return cleaned


class SignInForm(SerialisedSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(SerialisedSignInMixin, AdminAuthenticationForm):
    pass


def lockout_unlocks_at(username: str) -> dt.datetime | None:
    last_failure = AccessAttempt.objects.filter(username=username).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last_failure + settings.AXES_COOLOFF_TIME if last_failure else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse, credentials: dict[str, Any] | None
) -> HttpResponse:
    """Axes' AXES_LOCKOUT_CALLABLE: the lock-out page, for tries refused unchecked only."""
    if not getattr(request, "sign_in_refused_while_locked", False):
        # This try's password was checked (and was wrong): it reached the limit, and the
        # next try will be refused. Answer what happened to this one.
        return original_response
    unlocks_at = lockout_unlocks_at((credentials or {}).get("username") or "")
    seconds = max(0, (unlocks_at - timezone.now()).total_seconds()) if unlocks_at else 0
    response = render(
        request,
        "frontend/lockout.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(seconds))
    return response


def lockout_lift(
    *, actor: User, attempts: QuerySet[AccessAttempt], request: HttpRequest | None = None
) -> int:
    """Forget the failed sign-ins counted against accounts, which lifts their lock-out.

    Each lift is recorded in the audit log with the failures it forgave. Returns how many
    records were removed.
    """
    with transaction.atomic():
        lifted = list(attempts.select_for_update())
        for attempt in lifted:
            audit_record(
                actor=actor,
                action=AuditAction.LOCKOUT_LIFTED,
                target=attempt.username or "",
                detail={
                    "failures": attempt.failures_since_start,
                    "locked_out": attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT,
                },
                request=request,
            )
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in lifted]).delete()
    return len(lifted)
