"""Password reset: Django's own views, with our templates, a rate limit per address and per
client address, and the audit log. A request is recorded the same whether or not the
address belongs to anyone, and a completed reset is recorded with the account.
"""

from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy
from rest_framework.throttling import SimpleRateThrottle

from studies.common.audit import audit_record
from studies.common.client import client_address
from studies.common.lockout import lockout_lift
from studies.common.models import AuditAction, User


class _Throttle(SimpleRateThrottle):
    """DRF's rate counting (the cache the API limits use, ADR 0011), on a key of our own."""

    def __init__(self, *, rate: str, key: str) -> None:
        self.rate = rate
        self.key = key
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.key


def _address_digest(email: str) -> str:
    # Lets the audit log tie repeated requests for one address together without holding it.
    return salted_hmac("password-reset-address", email.strip().lower()).hexdigest()[:16]


def _bad_input(response: HttpResponse) -> HttpResponse:
    # Django's views answer a refused form with 200; our pages answer bad input with 400.
    response.status_code = 400
    return response


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "frontend/password_reset.html"
    subject_template_name = "frontend/email/password_reset_subject.txt"
    email_template_name = "frontend/email/password_reset.txt"
    html_email_template_name = "frontend/email/password_reset.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        digest = _address_digest(email)
        by_client = _Throttle(
            rate=settings.RESEARCHHUB_PASSWORD_RESET_RATE_IP,
            key=f"password-reset:ip:{client_address(self.request) or 'unknown'}",
        )
        if not by_client.allow_request(self.request, self):
            self._audit(digest, limited="client")
            response = self.render_to_response(
                self.get_context_data(form=form, too_many=True), status=429
            )
            response["Retry-After"] = str(int(by_client.wait() or 0) + 1)
            return response
        by_address = _Throttle(
            rate=settings.RESEARCHHUB_PASSWORD_RESET_RATE_EMAIL,
            key=f"password-reset:address:{digest}",
        )
        if not by_address.allow_request(self.request, self):
            # The same answer as a sent e-mail: the page never tells what happened.
            self._audit(digest, limited="address")
            return redirect(self.get_success_url())
        self._audit(digest, limited="")
        self.extra_email_context = {"site_url": settings.RESEARCHHUB_SITE_URL}
        return super().form_valid(form)

    def form_invalid(self, form: ResetRequestForm) -> HttpResponse:
        return _bad_input(super().form_invalid(form))

    def _audit(self, digest: str, *, limited: str) -> None:
        audit_record(
            actor=None,
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            detail={"address": digest, **({"limited": limited} if limited else {})},
            request=self.request,
        )


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "frontend/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "frontend/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 410  # a used, expired or tampered link
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return _bad_input(super().form_invalid(form))

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user: User = form.user
            audit_record(
                actor=user,
                action=AuditAction.PASSWORD_RESET_COMPLETED,
                target=user.get_username(),
                request=self.request,
            )
            # Whoever proved they hold the address may sign in with the new password now,
            # rather than wait out a lock-out their forgotten password earned.
            lockout_lift(
                actor=user,
                attempts=AccessAttempt.objects.filter(username=user.get_username()),
                request=self.request,
            )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "frontend/password_reset_complete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "login_url": reverse("login")}
