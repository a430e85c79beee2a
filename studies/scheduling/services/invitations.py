"""Invitations to a study's team: sent by e-mail by its research lead, accepted once.

The link's secret is shown only in the e-mail; the database keeps its SHA-256, so a leaked
database holds no working link. A link works once, for INVITATION_DAYS, and not after the
lead withdraws it or invites the same address again (which replaces it). Accepting locks the
invitation's row and marks it used with a conditional update, so a double submit makes one
member, not two.
"""

import datetime as dt
import re
import secrets
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.accounts.models import hash_key
from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.common.roles import Role
from studies.scheduling.models import Invitation, Study, StudyMembership
from studies.scheduling.policies import refuse_if_closed
from studies.scheduling.services.studies import membership_set

INVITATION_DAYS = 7


class InvitationGone(ConflictError):
    """The link cannot be used: unknown or tampered (404), or expired, used or withdrawn
    (410). Its messages never say whether anyone has an account."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__({"token": [message]})
        self.status = status


@dataclass(frozen=True)
class InvitationAcceptance:
    invitation: Invitation
    membership: StudyMembership
    joined: bool  # False when the person was on the team already and keeps their role


# --- Reads ---------------------------------------------------------------------------------


def invitation_list_open(*, study: Study, now: dt.datetime | None = None) -> QuerySet[Invitation]:
    """The study's invitations that can still be accepted, newest first."""
    return (
        Invitation.objects.filter(
            study=study,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get_open(*, study: Study, invitation_id: object) -> Invitation | None:
    return invitation_list_open(study=study).filter(pk=invitation_id).first()


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("study", "invited_by")
        .filter(token_hash=hash_key(token))
        .first()
    )


def invitation_refusal(invitation: Invitation | None, now: dt.datetime) -> InvitationGone | None:
    """Why this link cannot be accepted now, or None if it can."""
    if invitation is None:
        return InvitationGone(_("This invitation link is not valid."), status=404)
    if invitation.accepted_at is not None:
        return InvitationGone(_("This invitation has already been used."), status=410)
    if invitation.withdrawn_at is not None:
        return InvitationGone(_("This invitation was withdrawn."), status=410)
    if invitation.expires_at <= now:
        return InvitationGone(_("This invitation has expired."), status=410)
    return None


def account_for_email(email: str) -> User | None:
    """The active account that an invitation to this address is for, if there is one."""
    return User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()


def email_matches(user: User, email: str) -> bool:
    return bool(user.is_authenticated and user.email) and user.email.casefold() == email.casefold()


def username_suggestion(email: str) -> str:
    """A free username made from the address's local part, for the sign-up form."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0])[:140] or "member"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


# --- Writes --------------------------------------------------------------------------------


def _normalised_email(email: str) -> str:
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    return address


def _link(token: str) -> str:
    return settings.RESEARCHHUB_SITE_URL + reverse("frontend:invitation-accept", args=[token])


def _send_email(*, invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    context = {
        "study": invitation.study,
        "role": Role(invitation.role).label,
        "inviter": str(inviter) if inviter else _("The study's research lead"),
        "expires_at": invitation.expires_at,
        # The invitee has no zone of their own yet: the study's, named in the e-mail.
        "zone": invitation.study.time_zone,
        "link": _link(token),
    }
    subject = _("You are invited to join %(study)s on ResearchHub") % {
        "study": invitation.study.title
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("frontend/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("frontend/email/invitation.html", context), "text/html"
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Raised inside the transaction: the invitation is not saved when its e-mail is not sent.
        raise ValidationError(
            {
                "email": [
                    _("The invitation e-mail could not be sent (%(reason)s). Nothing was saved.")
                    % {"reason": error.__class__.__name__}
                ]
            }
        ) from error


@transaction.atomic
def invitation_send(
    *, study: Study, email: str, role: str, actor: User, request: HttpRequest | None = None
) -> Invitation:
    """Invite an address to the team with a role and e-mail it the one-time link.

    Inviting an address that has an open invitation replaces it: the old link stops working.
    Someone already on the team is not invited (a lead changes their role instead).
    """
    refuse_if_closed(study)
    address = _normalised_email(email)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of the roles.")]})
    if StudyMembership.objects.filter(
        study=study, user__email__iexact=address, user__is_active=True
    ).exists():
        raise ValidationError(
            {"email": [_("%(email)s is already on this study's team.") % {"email": address}]}
        )
    now = timezone.now()
    replaced = Invitation.objects.filter(
        study=study, email=address, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, updated_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        study=study,
        email=address,
        role=role,
        invited_by=actor,
        token_hash=hash_key(token),
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.INVITATION_SENT,
        study_id=study.pk,
        target=address,
        detail={"invitation": str(invitation.pk), "role": role, "replaced": bool(replaced)},
        request=request,
    )
    _send_email(invitation=invitation, token=token)
    return invitation


def invitation_resend(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    """A fresh link and seven more days, for the same address and role."""
    return invitation_send(
        study=invitation.study,
        email=invitation.email,
        role=invitation.role,
        actor=actor,
        request=request,
    )


@transaction.atomic
def invitation_withdraw(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    refuse_if_closed(invitation.study)
    now = timezone.now()
    withdrawn = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, updated_at=now)
    if not withdrawn:
        invitation.refresh_from_db()
        if invitation.accepted_at is not None:
            raise ConflictError(
                {"invitation": [_("This invitation was accepted already: it cannot be withdrawn.")]}
            )
        return invitation  # withdrawn before: nothing more to do
    invitation.withdrawn_at = now
    audit_record(
        actor=actor,
        action=AuditAction.INVITATION_WITHDRAWN,
        study_id=invitation.study_id,
        target=invitation.email,
        detail={"invitation": str(invitation.pk), "role": invitation.role},
        request=request,
    )
    return invitation


def _lock_open(token: str, now: dt.datetime) -> Invitation:
    """The invitation behind this link, locked until the transaction ends, or a refusal.

    Of two requests with the same link, the second waits here for the first to commit, then
    finds the invitation used (SQLite serialises write transactions anyway).
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("study")
        .filter(token_hash=hash_key(token))
        .first()
        if token and len(token) <= 200
        else None
    )
    if refusal := invitation_refusal(invitation, now):
        raise refusal
    assert invitation is not None  # invitation_refusal refuses None
    refuse_if_closed(invitation.study)
    return invitation


def _mark_accepted(invitation: Invitation, user: User, now: dt.datetime) -> None:
    # Conditional, so a link is used once even where row locks are not taken.
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).update(accepted_at=now, accepted_by=user, updated_at=now)
    if not claimed:
        raise InvitationGone(_("This invitation has already been used."), status=410)
    invitation.accepted_at, invitation.accepted_by = now, user


def _join(
    *, invitation: Invitation, user: User, request: HttpRequest | None
) -> InvitationAcceptance:
    membership = StudyMembership.objects.filter(study=invitation.study, user=user).first()
    joined = membership is None
    if joined:
        membership, _created = membership_set(
            study=invitation.study,
            user=user,
            role=invitation.role,
            actor=invitation.invited_by,
            request=request,
        )
    audit_record(
        actor=user,
        action=AuditAction.INVITATION_ACCEPTED,
        study_id=invitation.study_id,
        target=user.get_username(),
        detail={"invitation": str(invitation.pk), "role": invitation.role, "joined": joined},
        request=request,
    )
    return InvitationAcceptance(invitation=invitation, membership=membership, joined=joined)


@transaction.atomic
def invitation_accept(
    *, token: str, user: User, request: HttpRequest | None = None
) -> InvitationAcceptance:
    """An existing account joins the team with the invited role.

    Only the account with the invited address may accept: the link is proof of that
    address. Someone already on the team keeps their role (the lead changes roles).
    """
    now = timezone.now()
    invitation = _lock_open(token, now)
    if not email_matches(user, invitation.email):
        raise ValidationError(
            {"token": [_("This invitation was sent to another e-mail address than yours.")]}
        )
    _mark_accepted(invitation, user, now)
    return _join(invitation=invitation, user=user, request=request)


@transaction.atomic
def invitation_accept_new_account(
    *,
    token: str,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    request: HttpRequest | None = None,
) -> InvitationAcceptance:
    """A new person makes an account with the invited address and joins the team."""
    now = timezone.now()
    invitation = _lock_open(token, now)
    if account_for_email(invitation.email) is not None:
        raise ConflictError(
            {"token": [_("An account with this e-mail address exists: sign in to join.")]}
        )
    user = User(
        username=(username or "").strip(),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=invitation.email,
        time_zone=invitation.study.time_zone,
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if user.username and User.objects.filter(username__iexact=user.username).exists():
        errors.setdefault("username", []).append(_("This username is taken: choose another."))
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone took the name between the check above and now.
        raise ValidationError(
            {"username": [_("This username is taken: choose another.")]}
        ) from None
    _mark_accepted(invitation, user, now)
    return _join(invitation=invitation, user=user, request=request)
