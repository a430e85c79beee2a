"""Public pages reached from an e-mail: accepting an invitation, and resetting a password.

Accepting: a new person makes an account and joins; someone with an account signs in (the
page brings them back here) and joins. A link that cannot be used gets a page saying so,
404 or 410, that never tells whether an account exists.

Password reset is Django's own views, with our templates, a rate limit per address and
per client address, and the audit log: a request is recorded the same whether or not the
address belongs to anyone, and a completed reset is recorded with the account.
"""

from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from frontend.refusals import ServiceErrorsMixin, status_for
from studies.common.audit import audit_record, client_ip
from studies.common.lockout import lockout_lift
from studies.common.models import AuditAction, User
from studies.common.roles import Role
from studies.scheduling.models import Invitation
from studies.scheduling.services import invitations

# --- Accepting an invitation ---------------------------------------------------------------


class JoinForm(ServiceErrorsMixin, forms.Form):
    """A new person's account: the e-mail address is the invitation's."""

    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("What you sign in with. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 8 characters, not only digits, and not like your name or a common password."
        ),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error(
                "password_again", _("The two passwords differ: type the same one twice.")
            )
        return cleaned


def _gone(request: HttpRequest, refusal: invitations.InvitationGone) -> HttpResponse:
    return render(
        request,
        "frontend/invitation_gone.html",
        {"message": refusal.messages[0]},
        status=refusal.status,
    )


def _page(
    request: HttpRequest,
    invitation: Invitation,
    *,
    case: str,
    form: JoinForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "invitation": invitation,
        "study": invitation.study,
        "role": Role(invitation.role).label,
        "inviter": invitation.invited_by,
        "case": case,
        "form": form,
        "errors": errors or [],
        "here": request.path,
    }
    return render(request, "frontend/invitation.html", context, status=status)


def _case(request: HttpRequest, invitation: Invitation) -> str:
    """Which page this person gets: "join" (signed in with the invited address), "sign_in"
    (an account with that address exists), "new" (no account yet) or "other_account"
    (signed in as someone else)."""
    if request.user.is_authenticated:
        if invitations.email_matches(request.user, invitation.email):
            return "join"
        return "other_account"
    if invitations.account_for_email(invitation.email) is not None:
        return "sign_in"
    return "new"


def _joined(request: HttpRequest, acceptance: invitations.InvitationAcceptance) -> HttpResponse:
    study = acceptance.invitation.study
    if acceptance.joined:
        messages.success(
            request,
            _("Welcome to %(study)s. You joined as %(role)s.")
            % {"study": study.title, "role": Role(acceptance.membership.role).label},
        )
    else:
        messages.info(
            request,
            _("You were on the team of %(study)s already, as %(role)s.")
            % {"study": study.title, "role": Role(acceptance.membership.role).label},
        )
    return redirect("frontend:study", study_id=study.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_by_token(token)
    refusal = invitations.invitation_refusal(invitation, timezone.now())
    if refusal is not None:
        if (
            invitation is not None
            and invitation.accepted_by_id is not None
            and invitation.accepted_by_id == request.user.pk
        ):
            # Their own link again (a second click, a double submit): they are in already.
            return redirect("frontend:study", study_id=invitation.study_id)
        return _gone(request, refusal)
    assert invitation is not None  # no refusal means there is one
    case = _case(request, invitation)
    if request.method == "GET":
        form = JoinForm(initial={"username": invitations.username_suggestion(invitation.email)})
        return _page(request, invitation, case=case, form=form if case == "new" else None)
    if case == "join":
        try:
            acceptance = invitations.invitation_accept(
                token=token, user=request.user, request=request
            )
        except invitations.InvitationGone as gone:
            return _gone(request, gone)
        except ValidationError as error:
            return _page(
                request, invitation, case=case, errors=error.messages, status=status_for(error)
            )
        return _joined(request, acceptance)
    if case != "new":
        return _page(request, invitation, case=case, status=400)
    form = JoinForm(request.POST)
    if not form.is_valid():
        return _page(request, invitation, case=case, form=form, status=400)
    try:
        acceptance = invitations.invitation_accept_new_account(
            token=token,
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password"],
            request=request,
        )
    except invitations.InvitationGone as gone:
        return _gone(request, gone)
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, invitation, case=case, form=form, status=status_for(error))
    login(request, acceptance.membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return _joined(request, acceptance)


# --- Password reset ------------------------------------------------------------------------


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
            key=f"password-reset:ip:{client_ip(self.request) or 'unknown'}",
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
