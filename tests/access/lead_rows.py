"""The matrix rows of a research lead's set-up: the study itself, its guide, its panel, its
team and invitations, password reset, staffing a round and the study's routing rules.

Kept apart from tests/access/matrix.py, which adds them to MATRIX. Objects a row acts on
and the world does not hold (an invitation, a panel import) are made by its kwargs, inside
the case's savepoint, like matrix.put_up.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.access.matrix import (
    ANY,
    MANAGE,
    STUDY,
    VIEW,
    Outcome,
    Public,
    Row,
    Rule,
    SignedIn,
    StudyStarter,
    _day,
    study_id,
)
from tests.access.world import Target, World


@dataclass(frozen=True)
class Newcomer(Rule):
    """Whoever holds an invitation link for someone with no account makes that account;
    a signed-in person is asked to sign out first (400), so no one joins as somebody else."""

    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.ALLOW if role == "anonymous" else Outcome.DENY_400

    def describe(self) -> str:
        return "anyone holding the link, signed out (signed in: asked to sign out first, 400)"


CSV = (
    b"name;phone;email;participation consent;consent version\n"
    b"The Okafors;+44 20 7946 0123;okafor.import@example.org;2026-01-05;v1\n"
)


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def study_form(w: World, t: Target) -> dict[str, str]:
    return {
        "title": "Cooking on weeknights",
        "why": "To learn what makes a weeknight dinner easy.",
        "cadence": "quarterly",
        "time_zone": "Europe/London",
        "planning_lead_days": "21",
        "visit_minutes": "90",
        "travel_minutes": "30",
        "workday_start": "09:00",
        "workday_end": "18:00",
        "questions-0-text": "What makes a weeknight dinner easy?",
        "questions-0-order": "0",
    }


def guide_form(w: World, t: Target) -> dict[str, str]:
    return {
        "guide-0-text": "Walk us through last night's dinner.",
        "guide-0-section": "Warm-up",
        "guide-0-order": "0",
    }


@dataclass(frozen=True)
class FormReshown(Rule):
    """Django's form views read PUT as a POST without a body: the form comes back with its
    messages (400), for everyone alike."""

    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.DENY_400

    def describe(self) -> str:
        return "anyone; a PUT carries no form, so it re-shows with its messages (400)"


# --- Invitations and password reset --------------------------------------------------------


def _invitation(t: Target, *, email: str, token: str = "") -> Any:
    from studies.accounts.models import hash_key
    from studies.common.roles import Role
    from studies.scheduling.models import Invitation

    return Invitation.objects.create(
        study=t.study,
        email=email,
        role=Role.RESEARCHER,
        token_hash=hash_key(token or uuid.uuid4().hex),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
    )


def invitation_id(w: World, t: Target) -> dict[str, Any]:
    invitation = _invitation(t, email="invited@example.org")
    return {"study_id": t.study.pk, "invitation_id": invitation.pk}


INVITATION_TOKEN = "matrix-invitation-token-for-a-newcomer"


def invitation_token(w: World, t: Target) -> dict[str, Any]:
    """An open invitation of the own study for someone with no account yet."""
    _invitation(t, email="first-timer@example.org", token=INVITATION_TOKEN)
    return {"token": INVITATION_TOKEN}


def new_account_form(w: World, t: Target) -> dict[str, str]:
    return {
        "username": "first-timer",
        "first_name": "First",
        "last_name": "Timer",
        "password": "a long and unusual pass phrase",
        "password_again": "a long and unusual pass phrase",
    }


def accept_body(w: World, t: Target) -> dict[str, str]:
    """An invitation for whoever acts (the own study's side), to accept by its token."""
    token = uuid.uuid4().hex
    user = t.token.user
    _invitation(t, email=user.email or f"{user.username}@example.org", token=token)
    if not user.email:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return {"token": token}


def reset_link(w: World, t: Target) -> dict[str, str]:
    user = w.newcomer
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


# --- The panel ------------------------------------------------------------------------------


def household_form(w: World, t: Target) -> dict[str, str]:
    return {
        "code": "",
        "name": "The Okafors",
        "phone": "+44 20 7946 0456",
        "email": "okafor.matrix@example.org",
        "segment": "region: north",
        "participation_given_on": _today(),
        "consent_version": "v1",
    }


def upload_form(w: World, t: Target) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("panel.csv", CSV, content_type="text/csv")}


def panel_import_id(w: World, t: Target) -> dict[str, Any]:
    """An import of a good one-row file into the target's study, checked and waiting."""
    from studies.scheduling.services.panel import panel_import_check, panel_import_receive

    panel_import = panel_import_receive(
        study=t.study,
        actor=t.study.memberships.filter(role="research_lead").first().user,
        upload=SimpleUploadedFile("panel.csv", CSV, content_type="text/csv"),
    )
    # The check is queued to run once the upload's transaction commits; the case's
    # savepoint never does, so it runs here.
    panel_import_check(panel_import_id=panel_import.pk)
    return {"study_id": t.study.pk, "import_id": panel_import.pk}


# --- Staffing ----------------------------------------------------------------------------------


def staffing_visit(w: World, t: Target) -> dict[str, Any]:
    return {"study_id": t.study.pk, "visit_id": t.visit.pk}


def move_form(w: World, t: Target) -> dict[str, str]:
    prefix = f"v{t.visit.pk.hex}"
    start = _day(12)
    return {
        "round": str(t.round.pk),
        f"{prefix}-date": start.date().isoformat(),
        f"{prefix}-start_time": "11:00",
        f"{prefix}-researcher": str(t.visit.researcher_id),
    }


def skip_form(w: World, t: Target) -> dict[str, str]:
    return {"round": str(t.round.pk)}


def add_form(w: World, t: Target) -> dict[str, str]:
    from studies.scheduling.services.staffing import households_to_add

    household = households_to_add(round_=t.round)[0]
    return {
        "round": str(t.round.pk),
        "add-household": str(household.pk),
        "add-researcher": str(t.visit.researcher_id),
        "add-date": _day(14).date().isoformat(),
        "add-start_time": "14:00",
    }


def _someone_else(t: Target) -> Any:
    """A member of the study, other than the visit's researcher, who may be given visits."""
    return (
        t.study.memberships.filter(role__in=["research_lead", "researcher"])
        .exclude(user_id=t.visit.researcher_id)
        .order_by("role", "pk")
        .first()
        .user
    )


def reassign_form(w: World, t: Target) -> dict[str, str]:
    to = _someone_else(t)
    return {
        "round": str(t.round.pk),
        "handover-from_researcher": str(t.visit.researcher_id),
        "handover-to_researcher": str(to.pk),
        "handover-start_date": t.round.window_start.isoformat(),
        "handover-end_date": t.round.window_end.isoformat(),
    }


def reassign_body(w: World, t: Target) -> dict[str, str]:
    to = _someone_else(t)
    return {
        "from_researcher": t.visit.researcher.username,
        "to_researcher": to.username,
        "start_date": t.round.window_start.isoformat(),
        "end_date": t.round.window_end.isoformat(),
        "round": str(t.round.pk),
    }


# --- Routing --------------------------------------------------------------------------------


def study_rule(w: World, t: Target) -> dict[str, Any]:
    """A rule of the study's own (the world routes by rules for every study): its spare
    tag goes to the marketing board."""
    from studies.synthesis.models import RoutingRule

    rule = RoutingRule.objects.create(board=w.marketing_board, tag=t.spare_tag)
    return {"study_id": t.study.pk, "rule_id": rule.pk}


def rule_form(w: World, t: Target) -> dict[str, str]:
    return {"rule-match": f"tag:{t.spare_tag.pk}", "rule-board": str(w.product_board.pk)}


def rule_body(w: World, t: Target) -> dict[str, Any]:
    return {"board": str(w.product_board.pk), "tag": str(t.spare_tag.pk)}


LEAD_ROWS: list[Row] = [
    # --- A study: start, settings, close, the next round's guide ---
    Row("frontend:study-new", "GET", StudyStarter()),
    Row("frontend:study-new", "POST", StudyStarter(), body=study_form, encoding="form"),
    Row("frontend:study-settings", "GET", MANAGE, STUDY, study_id),
    Row("frontend:study-settings", "POST", MANAGE, STUDY, study_id, study_form, encoding="form"),
    Row("frontend:study-close", "GET", MANAGE, STUDY, study_id, note="asks first"),
    Row("frontend:study-close", "POST", MANAGE, STUDY, study_id, encoding="form"),
    Row("frontend:study-reopen", "POST", MANAGE, STUDY, study_id, encoding="form"),
    Row("frontend:study-guide", "GET", VIEW, STUDY, study_id, note="read-only unless a lead"),
    Row("frontend:study-guide", "POST", MANAGE, STUDY, study_id, guide_form, encoding="form"),
    Row("api-study-guide", "GET", VIEW, STUDY, study_id),
    Row(
        "api-study-guide",
        "PUT",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"items": [{"section": "Warm-up", "text": "Walk us through dinner."}]},
    ),
    # --- The panel ---
    Row("frontend:panel", "GET", MANAGE, STUDY, study_id),
    Row("frontend:panel-add", "GET", MANAGE, STUDY, study_id),
    Row("frontend:panel-add", "POST", MANAGE, STUDY, study_id, household_form, encoding="form"),
    Row("frontend:panel-import", "GET", MANAGE, STUDY, study_id),
    Row("frontend:panel-import", "POST", MANAGE, STUDY, study_id, upload_form, encoding="form"),
    Row("frontend:panel-import-preview", "GET", MANAGE, STUDY, panel_import_id),
    Row(
        "frontend:panel-import-preview",
        "POST",
        MANAGE,
        STUDY,
        panel_import_id,
        encoding="form",
        note="confirms the import",
    ),
    Row(
        "frontend:panel-export",
        "GET",
        MANAGE,
        STUDY,
        study_id,
        query="format=csv",
        note="personal data: audit-logged",
    ),
    Row("api-panel-imports", "POST", MANAGE, STUDY, study_id, upload_form, encoding="form"),
    Row("api-panel-import", "GET", MANAGE, STUDY, panel_import_id),
    Row("api-panel-import-confirm", "POST", MANAGE, STUDY, panel_import_id),
    Row("api-panel-export", "GET", MANAGE, STUDY, study_id, query="format=csv"),
    # --- The team and invitations ---
    Row("frontend:team", "GET", VIEW, STUDY, study_id, note="e-mails and invitations: leads"),
    Row(
        "frontend:team-invite",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"email": "new-colleague@example.org", "role": "researcher"},
        encoding="form",
    ),
    Row(
        "frontend:team-role",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {"study_id": t.study.pk, "username": t.member_to_remove.username},
        lambda w, t: {"role": "product"},
        encoding="form",
    ),
    Row(
        "frontend:team-remove",
        "GET",
        MANAGE,
        STUDY,
        lambda w, t: {"study_id": t.study.pk, "username": t.member_to_remove.username},
        note="asks first",
    ),
    Row(
        "frontend:team-remove",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {"study_id": t.study.pk, "username": t.member_to_remove.username},
        encoding="form",
    ),
    Row("frontend:team-invitation-withdraw", "POST", MANAGE, STUDY, invitation_id, encoding="form"),
    Row("frontend:team-invitation-resend", "POST", MANAGE, STUDY, invitation_id, encoding="form"),
    Row(
        "frontend:invitation-accept",
        "GET",
        Public(),
        ANY,
        invitation_token,
        note="the secret token in the URL is the credential",
    ),
    Row(
        "frontend:invitation-accept",
        "POST",
        Newcomer(),
        ANY,
        invitation_token,
        new_account_form,
        encoding="form",
        note="makes the invited person's account and signs them in",
    ),
    Row("api-study-invitations", "GET", MANAGE, STUDY, study_id),
    Row(
        "api-study-invitations",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"email": "new-colleague@example.org", "role": "product"},
    ),
    Row("api-study-invitation", "DELETE", MANAGE, STUDY, invitation_id),
    Row(
        "api-invitation-accept",
        "POST",
        SignedIn(),
        body=accept_body,
        note="only the account with the invited e-mail joins",
    ),
    Row("password_reset", "GET", Public()),
    Row(
        "password_reset",
        "POST",
        Public(),
        body=lambda w, t: {"email": "nobody-in-particular@example.org"},
        encoding="form",
        note="the same answer whether or not the address has an account; rate-limited",
    ),
    Row("password_reset", "PUT", FormReshown()),
    Row("password_reset_done", "GET", Public()),
    Row("password_reset_confirm", "GET", Public(), kwargs=reset_link, note="the link's token"),
    Row("password_reset_confirm", "POST", Public(), kwargs=reset_link, encoding="form"),
    Row("password_reset_confirm", "PUT", Public(), kwargs=reset_link, note="as PUT on sign-in"),
    Row("password_reset_complete", "GET", Public()),
    # --- Staffing the round ---
    Row("frontend:staffing", "GET", MANAGE, STUDY, study_id),
    Row(
        "frontend:staffing-visit-move",
        "POST",
        MANAGE,
        STUDY,
        staffing_visit,
        move_form,
        encoding="form",
    ),
    Row(
        "frontend:staffing-visit-skip",
        "POST",
        MANAGE,
        STUDY,
        staffing_visit,
        skip_form,
        encoding="form",
    ),
    Row("frontend:staffing-add", "POST", MANAGE, STUDY, study_id, add_form, encoding="form"),
    Row(
        "frontend:staffing-reassign",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        reassign_form,
        encoding="form",
    ),
    Row("api-study-staffing", "GET", MANAGE, STUDY, study_id),
    Row("api-study-staffing-reassign", "POST", MANAGE, STUDY, study_id, reassign_body),
    # --- The study's routing rules ---
    Row("frontend:study-routing", "GET", MANAGE, STUDY, study_id),
    Row("frontend:study-routing-add", "POST", MANAGE, STUDY, study_id, rule_form, encoding="form"),
    Row(
        "frontend:study-routing-switch",
        "POST",
        MANAGE,
        STUDY,
        study_rule,
        lambda w, t: {"active": "off"},
        encoding="form",
    ),
    Row("frontend:study-routing-delete", "POST", MANAGE, STUDY, study_rule, encoding="form"),
    Row("api-study-routing-rules", "GET", MANAGE, STUDY, study_id),
    Row("api-study-routing-rules", "POST", MANAGE, STUDY, study_id, rule_body),
    Row(
        "api-study-routing-rule",
        "PATCH",
        MANAGE,
        STUDY,
        study_rule,
        lambda w, t: {"active": False},
    ),
    Row("api-study-routing-rule", "DELETE", MANAGE, STUDY, study_rule),
    Row(
        "api-study-routing-preview",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"change": "create", **rule_body(w, t)},
    ),
]
