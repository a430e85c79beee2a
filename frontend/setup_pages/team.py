"""A study's team page: everyone on the team reads it; its research lead invites people by
e-mail, changes roles, removes members and withdraws or resends invitations.

Every change goes through the services the API calls (membership_set, membership_remove,
invitation_*), so the same rules hold: the last research lead stays, a closed study
changes no more, someone already on the team is not invited.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.refusals import ServiceErrorsMixin, flash_refusal, messages_of, status_for
from studies.common.models import User
from studies.common.roles import Capability, Role, role_can
from studies.scheduling import access, policies, selectors, services
from studies.scheduling.models import Invitation, Study
from studies.scheduling.services import invitations


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=Role.choices, initial=Role.RESEARCHER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


def _staffing_url(study: Study) -> str:
    # The staffing page is built alongside this one; until it exists, no link is offered.
    try:
        return reverse("frontend:staffing", args=[study.pk])
    except NoReverseMatch:
        return ""


def _page(
    request: HttpRequest,
    study: Study,
    *,
    invite_form: InviteForm | None = None,
    member_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = role_can(study.viewer_role, Capability.MANAGE_STUDY)
    closed = policies.study_is_closed(study)
    context: dict[str, Any] = {
        "study": study,
        "can_manage": can_manage and not closed,
        "can_see_emails": can_manage,
        "closed": closed,
        "members": list(selectors.team_list(study=study)),
        "roles": Role.choices,
        "member_errors": member_errors or {},
    }
    if can_manage:
        context["invitations"] = list(invitations.invitation_list_open(study=study))
        context["invite_form"] = invite_form or InviteForm()
        context["to_reassign"] = selectors.visits_to_reassign(study=study).count()
        context["staffing_url"] = _staffing_url(study)
    return render(request, "frontend/team.html", context, status=status)


def _to_manage(request: HttpRequest, study_id: object) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _member(study: Study, username: str) -> User:
    user = selectors.study_member(study=study, username=username)
    if user is None:
        raise Http404
    return user


@require_GET
@login_required
def team(request: HttpRequest, study_id: object) -> HttpResponse:
    study = access.study_get_for_user(user=request.user, study_id=study_id)
    return _page(request, study)


@require_POST
@login_required
def team_invite(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _to_manage(request, study_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, study, invite_form=form, status=400)
    try:
        invitation = invitations.invitation_send(
            study=study,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, invite_form=form, status=status_for(error))
    messages.success(
        request,
        _("Invitation sent to %(email)s as %(role)s. The link works for %(days)d days.")
        % {
            "email": invitation.email,
            "role": Role(invitation.role).label,
            "days": invitations.INVITATION_DAYS,
        },
    )
    return redirect("frontend:team", study_id=study.pk)


@require_POST
@login_required
def team_role(request: HttpRequest, study_id: object, username: str) -> HttpResponse:
    study = _to_manage(request, study_id)
    user = _member(study, username)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(
            request,
            study,
            member_errors={username: [_("Choose one of the roles.")]},
            status=400,
        )
    try:
        membership, _created = services.membership_set(
            study=study,
            user=user,
            role=form.cleaned_data["role"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        return _page(
            request,
            study,
            member_errors={username: messages_of(error)},
            status=status_for(error),
        )
    messages.success(
        request,
        _("%(name)s is now %(role)s.") % {"name": str(user), "role": Role(membership.role).label},
    )
    if user == request.user and not role_can(membership.role, Capability.MANAGE_STUDY):
        return redirect("frontend:study", study_id=study.pk)
    return redirect("frontend:team", study_id=study.pk)


@require_http_methods(["GET", "POST"])
@login_required
def team_remove(request: HttpRequest, study_id: object, username: str) -> HttpResponse:
    """A confirmation page, then the removal: only the membership goes."""
    study = _to_manage(request, study_id)
    user = _member(study, username)
    context = {"study": study, "member": user, "errors": []}
    if request.method == "GET":
        return render(request, "frontend/team_remove.html", context)
    try:
        services.membership_remove(study=study, user=user, actor=request.user, request=request)
    except ValidationError as error:
        context["errors"] = messages_of(error)
        return render(request, "frontend/team_remove.html", context, status=status_for(error))
    messages.success(
        request,
        _("%(name)s was removed from the team. What they captured stays in the study.")
        % {"name": str(user)},
    )
    if user == request.user:
        return redirect("frontend:home")
    return redirect("frontend:team", study_id=study.pk)


def _open_invitation(study: Study, invitation_id: object) -> Invitation:
    invitation = invitations.invitation_get_open(
        study=study, invitation_id=access.as_uuid(invitation_id)
    )
    if invitation is None:
        raise Http404
    return invitation


@require_POST
@login_required
def invitation_withdraw(
    request: HttpRequest, study_id: object, invitation_id: object
) -> HttpResponse:
    study = _to_manage(request, study_id)
    invitation = _open_invitation(study, invitation_id)
    try:
        invitations.invitation_withdraw(invitation=invitation, actor=request.user, request=request)
    except ValidationError as error:
        return _page(request, study, status=flash_refusal(request, error))
    messages.success(
        request,
        _("The invitation to %(email)s was withdrawn: its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("frontend:team", study_id=study.pk)


@require_POST
@login_required
def invitation_resend(
    request: HttpRequest, study_id: object, invitation_id: object
) -> HttpResponse:
    study = _to_manage(request, study_id)
    invitation = _open_invitation(study, invitation_id)
    try:
        fresh = invitations.invitation_resend(
            invitation=invitation, actor=request.user, request=request
        )
    except ValidationError as error:
        return _page(request, study, status=flash_refusal(request, error))
    messages.success(
        request,
        _(
            "A new invitation was sent to %(email)s; the earlier link no longer works. "
            "The new one expires on %(when)s."
        )
        % {
            "email": fresh.email,
            "when": date_format(timezone.localtime(fresh.expires_at), "j M Y, H:i"),
        },
    )
    return redirect("frontend:team", study_id=study.pk)
