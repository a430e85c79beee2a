"""The public page an invitation e-mail links to (password reset is frontend/password_reset.py).

A new person makes an account and joins; someone with an account signs in (the page brings
them back here) and joins. A link that cannot be used gets a page saying so, 404 or 410,
that never tells whether an account exists.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from frontend.refusals import ServiceErrorsMixin, status_for
from studies.common.roles import Role
from studies.scheduling.models import Invitation
from studies.scheduling.services import invitations


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
