"""The authorisation matrix: every route and method × every role × own or other study.

One row per (route, method) — two where the same route acts on objects of different
kinds, such as a product card and a marketing card — says what the route acts on and
which rule decides who gets in. The rules read the capability table in
studies/common/roles.py, so the matrix states what the code is meant to enforce, and
tests/access/test_matrix.py checks that it does. docs/permissions.md is generated from
this table (`make permissions`).

A route found by the URL resolver without a row here fails test_every_route_is_in_the_matrix:
add a row for it.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from studies.common.roles import Capability, Role, role_can
from studies.loop.services.digest import digest_off_token
from tests.access.world import UPLOAD_BYTES, Target, World

ROLES = ("anonymous", "admin", "lead", "researcher", "product", "marketing", "sales")
# Each persona's role in the own study; the admin is a superuser, a lead everywhere.
ROLE_OF = {
    "admin": Role.RESEARCH_LEAD,
    "lead": Role.RESEARCH_LEAD,
    "researcher": Role.RESEARCHER,
    "product": Role.PRODUCT,
    "marketing": Role.MARKETING,
    "sales": Role.SALES,
}

OWN = "own"  # the object is in the study the persona belongs to (a visit: the researcher's)
COLLEAGUE = "colleague"  # a visit, or what was captured on it, of researcher2 in the own study
OTHER = "other"  # the object is in a study the persona does not belong to (a token: not theirs)
ANY = "-"  # the route names no study object
STUDY = (OWN, OTHER)
VISIT = (OWN, COLLEAGUE, OTHER)


class Outcome(StrEnum):
    ALLOW = "allow"  # 2xx or 3xx (a redirect that is not to a sign-in page)
    LOGIN = "login"  # API: 401; pages: a redirect to the sign-in page
    DENY_400 = "400"  # the body names an object the user cannot see
    DENY_403 = "403"  # a member whose role lacks the capability
    DENY_404 = "404"  # an outsider, as for a missing object

    @property
    def short(self) -> str:
        return {"allow": "✓", "login": "login"}.get(self.value, self.value)


class Rule:
    """Who may use a route: the outcome for each persona and scope."""

    def __call__(self, role: str, scope: str) -> Outcome:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Public(Rule):
    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.ALLOW

    def describe(self) -> str:
        return "anyone, signed in or not"


@dataclass(frozen=True)
class SignedIn(Rule):
    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.LOGIN if role == "anonymous" else Outcome.ALLOW

    def describe(self) -> str:
        return "anyone signed in (answers show only their own studies or their own data)"


@dataclass(frozen=True)
class Staff(Rule):
    """Admins (staff) only; a signed-in non-staff user is refused (403) or, on the admin
    site, sent to its sign-in page."""

    admin_site: bool = False

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "admin":
            return Outcome.ALLOW
        if role == "anonymous" or self.admin_site:
            return Outcome.LOGIN
        return Outcome.DENY_403

    def describe(self) -> str:
        return "staff only" + (" (others are sent to the admin sign-in)" if self.admin_site else "")


@dataclass(frozen=True)
class StudyStarter(Rule):
    """Administrators and research leads (of any study) start studies."""

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "anonymous":
            return Outcome.LOGIN
        return Outcome.ALLOW if role in {"admin", "lead"} else Outcome.DENY_403

    def describe(self) -> str:
        return "administrators and research leads of any study"


@dataclass(frozen=True)
class Member(Rule):
    """A member of the object's study whose role has `capability`.

    own_visit: with CONDUCT_VISITS, only the visit's own researcher or a lead.
    in_body: the study object is named in the body, not the URL: unseen is a 400.
    """

    capability: str
    own_visit: bool = False
    in_body: bool = False

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "anonymous":
            return Outcome.LOGIN
        if role == "admin":
            return Outcome.ALLOW
        if scope == OTHER:
            return Outcome.DENY_400 if self.in_body else Outcome.DENY_404
        study_role = ROLE_OF[role]
        if not role_can(study_role, self.capability):
            return Outcome.DENY_403
        if (
            self.own_visit
            and scope == COLLEAGUE
            and not role_can(study_role, Capability.MANAGE_STUDY)
        ):
            return Outcome.DENY_403
        return Outcome.ALLOW

    def describe(self) -> str:
        text = f"members with `{self.capability}`"
        if self.own_visit:
            text += ", on their own visits (leads: any)"
        if self.in_body:
            text += "; the study is named in the body (unseen: 400)"
        return text


@dataclass(frozen=True)
class Author(Rule):
    """Only the user who began it: an upload is nobody else's, not even a lead's."""

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "anonymous":
            return Outcome.LOGIN
        return Outcome.ALLOW if role == "researcher" and scope == OWN else Outcome.DENY_404

    def describe(self) -> str:
        return "the upload's author only (everyone else: 404)"


@dataclass(frozen=True)
class Owner(Rule):
    """Only the user it belongs to: someone else's answers 404, even to an admin."""

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "anonymous":
            return Outcome.LOGIN
        return Outcome.ALLOW if scope == OWN else Outcome.DENY_404

    def describe(self) -> str:
        return "its owner only (anyone else's: 404, admins included)"


@dataclass(frozen=True)
class SignedInNotFound(Rule):
    """A URL pairing objects that do not belong together: not found, for everyone."""

    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.LOGIN if role == "anonymous" else Outcome.DENY_404

    def describe(self) -> str:
        return "no one: the objects in the URL do not belong together (404)"


@dataclass(frozen=True)
class Nobody(Rule):
    def __call__(self, role: str, scope: str) -> Outcome:
        return Outcome.DENY_404

    def describe(self) -> str:
        return "no one (the credential is dead)"


Kwargs = Callable[[World, Target], dict[str, Any]]
Body = Callable[[World, Target], Any]


def _none(world: World, target: Target) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    rule: Rule
    scopes: tuple[str, ...] = (ANY,)
    kwargs: Kwargs = _none
    body: Body | None = None
    variant: str = ""  # what the row acts on, when a route has more than one row
    encoding: str = "json"  # json, form (a page's form) or raw (an upload chunk)
    query: str = ""
    note: str = ""
    # Signing out sends everyone to the sign-in page: there that is success, not a refusal.
    sign_in_redirect_ok: bool = False
    # Reads the outcome from a 200 answer that reports per item (sync).
    judge: Callable[[Any], int] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.route} {self.method}" + (f" [{self.variant}]" if self.variant else "")

    def expected(self, role: str, scope: str) -> Outcome:
        return self.rule(role, scope)


# --- URL parameters and bodies ------------------------------------------------------------


def study_id(w: World, t: Target) -> dict[str, Any]:
    return {"study_id": t.study.pk}


def household_id(w: World, t: Target) -> dict[str, Any]:
    return {"household_id": t.households[0].pk}


def round_id(w: World, t: Target) -> dict[str, Any]:
    return {"round_id": t.round.pk}


def visit_id(w: World, t: Target) -> dict[str, Any]:
    return {"visit_id": t.visit.pk}


def study_household(w: World, t: Target) -> dict[str, Any]:
    return {"study_id": t.study.pk, "household_id": t.households[0].pk}


def tag_id(w: World, t: Target) -> dict[str, Any]:
    return {"tag_id": t.pain.pk}


def insight_id(w: World, t: Target) -> dict[str, Any]:
    return {"insight_id": t.insight.pk}


def _day(days: int, hour: int = 10) -> dt.datetime:
    """A weekday `days` or more ahead at `hour` UTC: inside every round's window."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _slot(days: int) -> dict[str, str]:
    start = _day(days)
    return {
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + dt.timedelta(minutes=90)).isoformat(),
    }


def sync_body(w: World, t: Target) -> dict[str, Any]:
    captured = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    return {
        "operations": [
            {
                "operation_id": str(uuid.uuid4()),
                "type": "upsert",
                "device_id": str(uuid.uuid4()),
                "visit": str(t.visit.pk),
                "kind": "note",
                "text": "Keeps rice in a sealed bucket under the sink.",
                "speaker": "",
                "guide_question": None,
                "tags": [],
                "captured_at": captured,
                "edited_at": captured,
            }
        ]
    }


def sync_judge(response: Any) -> int:
    """The sync endpoint answers 200 for a readable batch; the item says what happened."""
    (result,) = response.json()["results"]
    if result["status"] == "applied":
        return 200
    message = " ".join(result.get("errors", {}).get("visit", []))
    return 403 if message.startswith("Only the visit's researcher") else 404


def upload_body(w: World, t: Target) -> dict[str, Any]:
    return {
        "device_id": str(uuid.uuid4()),
        "visit": str(t.visit.pk),
        "length": len(UPLOAD_BYTES),
        "sha256": hashlib.sha256(UPLOAD_BYTES).hexdigest(),
        "caption": "Leftovers in takeaway tubs",
        "captured_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "observation": None,
    }


def upload_chunk(w: World, t: Target) -> bytes:
    return UPLOAD_BYTES


def availability_form(w: World, t: Target) -> dict[str, str]:
    return {
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "21",
        "windows-0-weekday": "0",
        "windows-0-start_time": "09:00",
        "windows-0-end_time": "17:00",
    }


def visit_edit_form(w: World, t: Target) -> dict[str, str]:
    start = _day(10)
    return {
        "date": start.date().isoformat(),
        "start_time": "11:00",
        "researcher": str(t.visit.researcher_id),
        "note": "The family asked for later.",
    }


def tag_form(w: World, t: Target) -> dict[str, str]:
    return {
        "name": t.pain.name,
        "group": t.pain.group,
        "colour": t.pain.colour,
        "description": "What people forget they have.",
    }


# Trends compare rounds, and the world's rounds hold no visit yet. These give the target's
# study what a trend reads, inside the case's savepoint (rolled back when the case ends): two
# rounds with a completed visit; for the evidence page, a tag and a round whose ids are fixed,
# since a row's query string is the same for every case.
TREND_TAG = uuid.UUID("7e4d0000-0000-4000-8000-000000000001")
TREND_ROUND = uuid.UUID("7e4d0000-0000-4000-8000-000000000002")


def trend_study_id(w: World, t: Target) -> dict[str, Any]:
    from studies.scheduling.models import Visit, VisitStatus
    from tests.factories import RoundFactory, VisitFactory

    Visit.objects.filter(pk=t.visit.pk).update(status=VisitStatus.COMPLETED)
    earlier = RoundFactory(
        study=t.study,
        label="Trend-earlier",
        window_start=t.round.window_start - dt.timedelta(days=120),
        window_end=t.round.window_start - dt.timedelta(days=60),
    )
    VisitFactory(
        round=earlier,
        household=t.households[0],
        researcher=t.visit.researcher,
        status=VisitStatus.COMPLETED,
    )
    return {"study_id": t.study.pk}


def trend_evidence_study_id(w: World, t: Target) -> dict[str, Any]:
    from tests.factories import RoundFactory, TagFactory

    TagFactory(pk=TREND_TAG, study=t.study, name="Trend evidence")
    RoundFactory(pk=TREND_ROUND, study=t.study, label="Trend-evidence")
    return {"study_id": t.study.pk}


def visited_round_id(w: World, t: Target) -> dict[str, Any]:
    """The target's round with its visit done: a round report needs a visited household."""
    from studies.scheduling.models import Visit, VisitStatus

    Visit.objects.filter(pk=t.visit.pk).update(status=VisitStatus.COMPLETED)
    return {"round_id": t.round.pk}


# --- Pressure tests: who reviews, and the test the rows act on -----------------------------


@dataclass(frozen=True)
class Reviewer(Rule):
    """Members whose role is a review team (product, marketing, sales), for their team.
    Unlike Member, an admin is refused too: a superuser acts as a research lead, who has no
    team to score for."""

    def __call__(self, role: str, scope: str) -> Outcome:
        if role == "anonymous":
            return Outcome.LOGIN
        if role == "admin":
            return Outcome.DENY_403
        if scope == OTHER:
            return Outcome.DENY_404
        if role_can(ROLE_OF[role], Capability.REVIEW_PRESSURE_TEST):
            return Outcome.ALLOW
        return Outcome.DENY_403

    def describe(self) -> str:
        return (
            f"members with `{Capability.REVIEW_PRESSURE_TEST}` (product, marketing, sales), "
            "for the team of their role; admins too are refused"
        )


def put_up(w: World, t: Target) -> dict[str, Any]:
    """The insight, put up for a pressure test. Made here, in the case's savepoint that is
    rolled back, so the world itself has no test and putting one up can be a case too."""
    from studies.loop.models import PressureTest

    PressureTest.objects.get_or_create(insight=t.insight, defaults={"opened_by": w.team.lead})
    return insight_id(w, t)


def put_up_and_scored(w: World, t: Target) -> dict[str, Any]:
    """As put_up, with a review by each reviewer of the own study, for them to change."""
    from studies.loop.models import PressureReview, PressureTest

    test, _created = PressureTest.objects.get_or_create(
        insight=t.insight, defaults={"opened_by": w.team.lead}
    )
    if t.side is w.own:
        for user in (w.team.product, w.team.marketing, w.team.sales):
            PressureReview.objects.get_or_create(
                test=test,
                reviewer=user,
                defaults={
                    "team": user.memberships.get(study=t.study).role,
                    "importance": 3,
                    "differentiation": 3,
                    "feasibility": 3,
                },
            )
    return insight_id(w, t)


def pressure_form(w: World, t: Target) -> dict[str, str]:
    return {
        "pressure-importance": "4",
        "pressure-differentiation": "3",
        "pressure-feasibility": "5",
        "pressure-comment": "Buyers ask for it.",
    }


# --- The table ----------------------------------------------------------------------------

VIEW = Member(Capability.VIEW_STUDY)
MANAGE = Member(Capability.MANAGE_STUDY)
MANAGE_IN_BODY = Member(Capability.MANAGE_STUDY, in_body=True)
CONDUCT_OWN = Member(Capability.CONDUCT_VISITS, own_visit=True)
SYNTHESISE = Member(Capability.SYNTHESISE)
COMMENT = Member(Capability.COMMENT)
DECIDE_PRODUCT = Member(Capability.DECIDE_PRODUCT)
USE_QUOTES = Member(Capability.USE_QUOTES)

MATRIX: list[Row] = [
    # --- Outside the API and pages ---
    Row("healthz", "GET", Public()),
    Row("api-schema", "GET", Public(), note="the API's shape, no data"),
    Row("api-docs", "GET", Public(), note="Swagger UI for the schema"),
    Row("login", "GET", Public()),
    Row(
        "login",
        "POST",
        Public(),
        body=lambda w, t: {"username": "researcher", "password": "correct horse battery staple"},
        encoding="form",
    ),
    Row(
        "login",
        "PUT",
        Public(),
        note="Django's form views treat PUT as POST; the body is not read, the form re-shows",
    ),
    Row("logout", "POST", Public(), encoding="form", sign_in_redirect_ok=True),
    Row(
        "admin:index",
        "GET",
        Staff(admin_site=True),
        note="stands for every admin page: the admin site lets in staff only",
    ),
    Row(
        "calendar-feed",
        "GET",
        Public(),
        kwargs=lambda w, t: {"token": w.feed.token},
        variant="live token",
        note="the secret token in the URL is the credential",
    ),
    Row(
        "calendar-feed",
        "GET",
        Nobody(),
        kwargs=lambda w, t: {"token": w.revoked_feed.token},
        variant="revoked token",
    ),
    Row(
        "photo-file",
        "GET",
        VIEW,
        VISIT,
        kwargs=lambda w, t: {"photo_id": t.photo.pk, "rendition": "thumb", "extension": "webp"},
    ),
    # --- API: studies, households, rounds, visits ---
    Row("api-studies", "GET", SignedIn()),
    Row(
        "api-studies",
        "POST",
        StudyStarter(),
        body=lambda w, t: {"title": "A new study", "why": "To learn how people cook."},
        note="whoever starts a study becomes its lead",
    ),
    Row("api-study", "GET", VIEW, STUDY, study_id),
    Row("api-study", "PATCH", MANAGE, STUDY, study_id, lambda w, t: {"why": "A sharper why."}),
    Row("api-study-members", "GET", VIEW, STUDY, study_id),
    Row(
        "api-study-members",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"username": w.newcomer.username, "role": "researcher"},
    ),
    Row(
        "api-study-member",
        "DELETE",
        MANAGE,
        STUDY,
        lambda w, t: {"study_id": t.study.pk, "username": t.member_to_remove.username},
    ),
    Row("api-study-plan-next-round", "POST", MANAGE, STUDY, study_id),
    Row(
        "api-study-enrolments",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"household": str(t.households[2].pk)},
    ),
    Row(
        "api-households",
        "GET",
        SignedIn(),
        note="`contact` is null unless the user may see personal data (checked separately)",
    ),
    Row(
        "api-households",
        "POST",
        MANAGE_IN_BODY,
        STUDY,
        body=lambda w, t: {
            "study": str(t.study.pk),
            "code": "NEW-001",
            "name": "Ann Example",
            "address": "1 New Street",
            "phone": "+44 20 7946 0999",
            "email": "ann@example.org",
        },
    ),
    Row("api-household", "GET", VIEW, STUDY, household_id, note="`contact` as for the list"),
    Row(
        "api-household",
        "PATCH",
        MANAGE,
        STUDY,
        household_id,
        lambda w, t: {"segment_phrase": "renting, two children"},
    ),
    Row("api-household-consents", "GET", VIEW, STUDY, household_id),
    Row(
        "api-household-consents",
        "POST",
        MANAGE,
        STUDY,
        household_id,
        lambda w, t: {"kind": "photos", "version": "2.0"},
    ),
    Row(
        "api-consent-withdraw",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {"consent_id": t.consent.pk},
    ),
    Row("api-rounds", "GET", SignedIn()),
    Row(
        "api-rounds",
        "POST",
        MANAGE_IN_BODY,
        STUDY,
        body=lambda w, t: {
            "study": str(t.study.pk),
            "label": "Extra",
            "window_start": _day(120).date().isoformat(),
            "window_end": _day(150).date().isoformat(),
        },
    ),
    Row("api-round", "GET", VIEW, STUDY, round_id),
    Row("api-round", "PATCH", MANAGE, STUDY, round_id, lambda w, t: {"label": "Renamed"}),
    Row("api-visits", "GET", SignedIn()),
    Row(
        "api-visits",
        "POST",
        MANAGE_IN_BODY,
        STUDY,
        body=lambda w, t: {
            "round": str(t.round.pk),
            "household": str(t.households[2].pk),
            "researcher": t.visit.researcher.username,
            **_slot(12),
        },
    ),
    Row("api-visit", "GET", VIEW, VISIT, visit_id),
    Row(
        "api-visit-reschedule",
        "POST",
        MANAGE,
        VISIT,
        visit_id,
        lambda w, t: {**_slot(10), "note": "The family asked for later."},
    ),
    Row(
        "api-visit-transition",
        "POST",
        CONDUCT_OWN,
        VISIT,
        visit_id,
        lambda w, t: {"status": "in_progress"},
    ),
    Row("api-my-availability", "GET", SignedIn()),
    Row(
        "api-my-availability",
        "PUT",
        SignedIn(),
        body=lambda w, t: [{"weekday": 0, "start_time": "09:00", "end_time": "17:00"}],
    ),
    Row("api-my-calendar-feed", "GET", SignedIn()),
    Row("api-my-calendar-feed", "POST", SignedIn()),
    Row("api-my-calendar-feed", "DELETE", SignedIn()),
    # --- API: capture ---
    Row(
        "api-sync",
        "POST",
        Member(Capability.CONDUCT_VISITS, own_visit=True),
        VISIT,
        body=sync_body,
        judge=sync_judge,
        note="answers 200 per batch; the item's result is the outcome (403/404 as rejections)",
    ),
    Row("api-visit-observations", "GET", VIEW, VISIT, visit_id),
    Row("api-study-tags", "GET", VIEW, STUDY, study_id),
    Row("api-my-offline-bundle", "GET", SignedIn(), note="the user's own visits only"),
    Row(
        "api-uploads",
        "POST",
        Member(Capability.CONDUCT_VISITS, own_visit=True, in_body=True),
        VISIT,
        body=upload_body,
    ),
    Row("api-upload", "GET", Author(), VISIT, lambda w, t: {"upload_id": t.upload.pk}),
    Row("api-upload", "HEAD", Author(), VISIT, lambda w, t: {"upload_id": t.upload.pk}),
    Row("api-upload", "DELETE", Author(), VISIT, lambda w, t: {"upload_id": t.upload.pk}),
    Row(
        "api-upload",
        "PATCH",
        Author(),
        VISIT,
        lambda w, t: {"upload_id": t.upload.pk},
        upload_chunk,
        encoding="raw",
    ),
    Row("api-photo", "GET", VIEW, VISIT, lambda w, t: {"photo_id": t.photo.pk}),
    Row(
        "api-photo",
        "PATCH",
        CONDUCT_OWN,
        VISIT,
        lambda w, t: {"photo_id": t.photo.pk},
        lambda w, t: {
            "edited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(),
            "caption": "The list on the fridge door",
            "tags": ["Lists"],
        },
        note="the photo's author, or a lead",
    ),
    Row(
        "api-photo",
        "DELETE",
        CONDUCT_OWN,
        VISIT,
        lambda w, t: {"photo_id": t.photo.pk},
        note="the photo's author, or a lead",
    ),
    Row("api-visit-photos", "GET", VIEW, VISIT, visit_id),
    # --- API: synthesis ---
    Row("api-study-tag-counts", "GET", VIEW, STUDY, study_id),
    Row("api-study-observations-browse", "GET", VIEW, STUDY, study_id),
    Row(
        "api-tags",
        "POST",
        MANAGE_IN_BODY,
        STUDY,
        body=lambda w, t: {"study": str(t.study.pk), "name": "Cupboard archaeology"},
    ),
    Row("api-tag", "PATCH", MANAGE, STUDY, tag_id, lambda w, t: {"description": "Forgotten."}),
    Row(
        "api-tag-merge",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {"tag_id": t.spare_tag.pk},
        lambda w, t: {"into": str(t.pain.pk)},
    ),
    Row("api-insights", "GET", SignedIn()),
    Row(
        "api-insights",
        "POST",
        Member(Capability.SYNTHESISE, in_body=True),
        STUDY,
        body=lambda w, t: {
            "study": str(t.study.pk),
            "statement": "Rice lives under the sink.",
            "observations": [str(t.note.pk)],
        },
    ),
    Row("api-insight", "GET", VIEW, STUDY, insight_id),
    Row(
        "api-insight",
        "PATCH",
        SYNTHESISE,
        STUDY,
        insight_id,
        lambda w, t: {"description": "Seen in every round."},
    ),
    Row(
        "api-insight-evidence",
        "POST",
        SYNTHESISE,
        STUDY,
        insight_id,
        lambda w, t: {"observations": [str(t.note.pk)]},
    ),
    Row(
        "api-insight-evidence-remove",
        "POST",
        SYNTHESISE,
        STUDY,
        insight_id,
        lambda w, t: {"evidence": [str(t.evidence.pk)]},
    ),
    Row("api-insight-comments", "GET", VIEW, STUDY, insight_id),
    Row(
        "api-insight-comments",
        "POST",
        COMMENT,
        STUDY,
        insight_id,
        lambda w, t: {"text": "We saw this in Leeds too."},
    ),
    Row("api-boards", "GET", SignedIn(), note="empty for a user in no study"),
    Row(
        "api-board-cards",
        "GET",
        SignedIn(),
        kwargs=lambda w, t: {"board": "product"},
        note="boards span studies; each user sees the cards of their own studies",
    ),
    Row(
        "api-card-move",
        "POST",
        DECIDE_PRODUCT,
        STUDY,
        lambda w, t: {"card_id": t.product_card.pk},
        lambda w, t: {"column": "exploring"},
        variant="product card",
    ),
    Row(
        "api-card-move",
        "POST",
        USE_QUOTES,
        STUDY,
        lambda w, t: {"card_id": t.marketing_card.pk},
        lambda w, t: {"column": "shortlisted"},
        variant="marketing card",
    ),
    Row("api-quotes", "GET", SignedIn(), note="the quote bank of the user's studies"),
    Row("api-quotes-export-csv", "GET", SignedIn()),
    Row("api-quotes-export-markdown", "GET", SignedIn()),
    Row(
        "api-quote-uses",
        "POST",
        USE_QUOTES,
        STUDY,
        lambda w, t: {"quote_id": t.quote.pk},
        lambda w, t: {"campaign": "Spring mailer"},
    ),
    Row("api-routing-rules", "GET", Staff()),
    Row(
        "api-routing-rules",
        "POST",
        Staff(),
        body=lambda w, t: {"board": str(w.marketing_board.pk), "tag": str(w.own.pain.pk)},
    ),
    Row("api-routing-rule", "GET", Staff(), kwargs=lambda w, t: {"rule_id": w.rule.pk}),
    Row(
        "api-routing-rule",
        "PATCH",
        Staff(),
        kwargs=lambda w, t: {"rule_id": w.rule.pk},
        body=lambda w, t: {"active": False},
    ),
    Row("api-routing-rule", "DELETE", Staff(), kwargs=lambda w, t: {"rule_id": w.rule.pk}),
    Row("api-webhooks", "GET", Staff()),
    Row(
        "api-webhooks",
        "POST",
        Staff(),
        # A public address, not a name: saving a webhook resolves its host, and tests never
        # ask DNS.
        body=lambda w, t: {"name": "Marketing chat", "url": "https://93.184.215.14/m"},
    ),
    Row("api-webhook", "GET", Staff(), kwargs=lambda w, t: {"webhook_id": w.webhook.pk}),
    Row(
        "api-webhook",
        "PATCH",
        Staff(),
        kwargs=lambda w, t: {"webhook_id": w.webhook.pk},
        body=lambda w, t: {"name": "Renamed"},
    ),
    Row("api-webhook", "DELETE", Staff(), kwargs=lambda w, t: {"webhook_id": w.webhook.pk}),
    Row(
        "api-webhook-deliveries",
        "GET",
        Staff(),
        kwargs=lambda w, t: {"webhook_id": w.webhook.pk},
    ),
    Row("api-search", "GET", SignedIn(), query="q=freezer", note="within the user's studies"),
    # --- Pages ---
    Row("frontend:home", "GET", SignedIn()),
    Row(
        "frontend:study", "GET", VIEW, STUDY, study_id, note="the panel's contacts: research roles"
    ),
    Row("frontend:study-plan-next", "POST", MANAGE, STUDY, study_id, encoding="form"),
    Row("frontend:round", "GET", VIEW, STUDY, round_id),
    Row("frontend:visit", "GET", VIEW, VISIT, visit_id, note="the contact: research roles"),
    Row("frontend:visit-edit", "GET", MANAGE, VISIT, visit_id),
    Row("frontend:visit-edit", "POST", MANAGE, VISIT, visit_id, visit_edit_form, encoding="form"),
    Row(
        "frontend:visit-transition",
        "POST",
        CONDUCT_OWN,
        VISIT,
        visit_id,
        lambda w, t: {"to_status": "in_progress"},
        encoding="form",
    ),
    Row("frontend:today", "GET", SignedIn(), note="the user's own visits only"),
    Row("frontend:visit-capture", "GET", CONDUCT_OWN, VISIT, visit_id),
    Row("frontend:visit-finish", "GET", CONDUCT_OWN, VISIT, visit_id),
    Row("frontend:manifest", "GET", Public()),
    Row("frontend:service-worker", "GET", Public()),
    Row("frontend:calendar", "GET", SignedIn()),
    Row("frontend:calendar-renew", "POST", SignedIn(), encoding="form"),
    Row("frontend:availability", "POST", SignedIn(), body=availability_form, encoding="form"),
    Row("frontend:board", "GET", SignedIn(), kwargs=lambda w, t: {"board": "product"}),
    Row(
        "frontend:card-move",
        "POST",
        DECIDE_PRODUCT,
        STUDY,
        lambda w, t: {"card_id": t.product_card.pk},
        lambda w, t: {"column": "exploring"},
        variant="product card",
        encoding="form",
    ),
    Row(
        "frontend:card-move",
        "POST",
        USE_QUOTES,
        STUDY,
        lambda w, t: {"card_id": t.marketing_card.pk},
        lambda w, t: {"column": "shortlisted"},
        variant="marketing card",
        encoding="form",
    ),
    Row("frontend:insight", "GET", VIEW, STUDY, insight_id),
    Row(
        "frontend:insight-edit",
        "POST",
        SYNTHESISE,
        STUDY,
        insight_id,
        lambda w, t: {
            "statement": "People lose track of the freezer.",
            "tags": [str(t.pain.pk), str(t.quotable.pk)],
        },
        encoding="form",
    ),
    Row(
        "frontend:insight-comment",
        "POST",
        COMMENT,
        STUDY,
        insight_id,
        lambda w, t: {"text": "Seen in Leeds too."},
        encoding="form",
    ),
    Row(
        "frontend:insight-evidence-remove",
        "POST",
        SYNTHESISE,
        STUDY,
        insight_id,
        lambda w, t: {"evidence": str(t.evidence.pk)},
        encoding="form",
    ),
    Row("frontend:quotes", "GET", SignedIn(), note="the quote bank of the user's studies"),
    Row(
        "frontend:quote-use",
        "POST",
        USE_QUOTES,
        STUDY,
        lambda w, t: {"observation_id": t.quote.pk},
        lambda w, t: {f"use-{t.quote.pk}-campaign": "Spring mailer"},
        encoding="form",
    ),
    Row("frontend:synthesis", "GET", SYNTHESISE, STUDY, study_id),
    Row(
        "frontend:synthesis",
        "POST",
        SYNTHESISE,
        STUDY,
        study_id,
        lambda w, t: {
            "action": "create",
            "statement": "Rice lives under the sink.",
            "observations": [str(t.note.pk)],
        },
        encoding="form",
    ),
    Row("frontend:insights", "GET", VIEW, STUDY, study_id),
    Row("frontend:tags", "GET", VIEW, STUDY, study_id),
    Row(
        "frontend:tags",
        "POST",
        MANAGE,
        STUDY,
        study_id,
        lambda w, t: {"name": "Cupboard archaeology", "group": "", "colour": "#5b6b7f"},
        encoding="form",
    ),
    Row("frontend:tag-edit", "POST", MANAGE, STUDY, tag_id, tag_form, encoding="form"),
    Row(
        "frontend:tag-merge",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {"tag_id": t.spare_tag.pk},
        lambda w, t: {"into": str(t.pain.pk), "confirm": "on"},
        encoding="form",
    ),
    Row("frontend:search", "GET", SignedIn(), query="q=freezer"),
    # --- Added with the access issue: API tokens, erasure ---
    Row("api-my-tokens", "GET", SignedIn(), note="the user's own tokens only"),
    Row("api-my-tokens", "POST", SignedIn(), body=lambda w, t: {"name": "Zapier export"}),
    Row(
        "api-my-token-revoke",
        "POST",
        Owner(),
        STUDY,
        lambda w, t: {"token_id": t.token.pk},
    ),
    Row("frontend:tokens", "GET", SignedIn()),
    Row(
        "frontend:tokens",
        "POST",
        SignedIn(),
        body=lambda w, t: {"name": "Zapier export", "expires_in": "90"},
        encoding="form",
    ),
    Row(
        "frontend:token-revoke",
        "POST",
        Owner(),
        STUDY,
        lambda w, t: {"token_id": t.token.pk},
        encoding="form",
    ),
    Row(
        "api-household-erase",
        "POST",
        MANAGE,
        STUDY,
        household_id,
        lambda w, t: {
            "confirm_code": t.households[0].code,
            "requested_on": dt.datetime.now(dt.UTC).date().isoformat(),
        },
    ),
    Row(
        "frontend:household",
        "GET",
        VIEW,
        STUDY,
        study_household,
        note="the contact: research roles",
    ),
    Row(
        "frontend:household",
        "GET",
        SignedInNotFound(),
        kwargs=lambda w, t: {"study_id": w.own.study.pk, "household_id": w.other.households[0].pk},
        variant="own study, other study's household",
    ),
    Row(
        "frontend:household-consent",
        "POST",
        MANAGE,
        STUDY,
        study_household,
        lambda w, t: {"kind": "photos", "version": "2.0"},
        encoding="form",
    ),
    Row(
        "frontend:household-consent-withdraw",
        "POST",
        MANAGE,
        STUDY,
        lambda w, t: {**study_household(w, t), "consent_id": t.consent.pk},
        encoding="form",
    ),
    Row(
        "frontend:household-erase",
        "POST",
        MANAGE,
        STUDY,
        study_household,
        lambda w, t: {
            "confirm_code": t.households[0].code,
            "requested_on": dt.datetime.now(dt.UTC).date().isoformat(),
        },
        encoding="form",
    ),
    # --- Digest ---
    Row("api-me-digest", "GET", SignedIn(), note="the user's own setting only"),
    Row("api-me-digest", "PATCH", SignedIn(), body=lambda w, t: {"weekly_digest": False}),
    Row("frontend:digest-settings", "GET", SignedIn()),
    Row(
        "frontend:digest-settings",
        "POST",
        SignedIn(),
        body=lambda w, t: {"weekly_digest": "on"},
        encoding="form",
    ),
    Row(
        "frontend:digest-off",
        "GET",
        Public(),
        kwargs=lambda w, t: {"token": digest_off_token(user=w.team.researcher)},
        note="the signed token in the URL is the credential; GET changes nothing",
    ),
    Row(
        "frontend:digest-off",
        "POST",
        Public(),
        kwargs=lambda w, t: {"token": digest_off_token(user=w.team.researcher)},
        encoding="form",
        note="switches off the digest of the person the token was made for",
    ),
    # --- Loop health ---
    Row("api-study-loop-health", "GET", VIEW, STUDY, study_id),
    Row("frontend:loop-health", "GET", VIEW, STUDY, study_id),
    # --- Trends ---
    Row("api-study-trends", "GET", VIEW, STUDY, trend_study_id, note="two rounds visited"),
    Row("frontend:trends", "GET", VIEW, STUDY, study_id),
    Row(
        "frontend:trends-evidence",
        "GET",
        VIEW,
        STUDY,
        trend_evidence_study_id,
        query=f"tag={TREND_TAG}&round={TREND_ROUND}",
    ),
    # --- Round report ---
    Row("frontend:round-report", "GET", VIEW, STUDY, visited_round_id),
    # --- Pressure tests ---
    Row(
        "api-insight-pressure-test",
        "GET",
        VIEW,
        STUDY,
        put_up,
        note="an insight not put up: 404 for members too",
    ),
    Row(
        "api-insight-pressure-test",
        "POST",
        Member(Capability.OPEN_PRESSURE_TEST),
        STUDY,
        insight_id,
    ),
    Row(
        "api-insight-pressure-reviews",
        "POST",
        Reviewer(),
        STUDY,
        put_up,
        lambda w, t: {"importance": 4, "differentiation": 3, "feasibility": 5},
    ),
    Row(
        "api-insight-pressure-review-mine",
        "PATCH",
        Reviewer(),
        STUDY,
        put_up_and_scored,
        lambda w, t: {"importance": 5},
    ),
    Row(
        "frontend:insight-pressure-open",
        "POST",
        Member(Capability.OPEN_PRESSURE_TEST),
        STUDY,
        insight_id,
        encoding="form",
    ),
    Row(
        "frontend:insight-pressure-review",
        "POST",
        Reviewer(),
        STUDY,
        put_up,
        pressure_form,
        encoding="form",
    ),
    Row(
        "frontend:insight-pressure-review-change",
        "POST",
        Reviewer(),
        STUDY,
        put_up_and_scored,
        pressure_form,
        encoding="form",
    ),
]

# A research lead's set-up pages and their API, in a module of their own.
from tests.access.lead_rows import LEAD_ROWS  # noqa: E402

MATRIX += LEAD_ROWS


@dataclass(frozen=True)
class Case:
    row: Row
    role: str
    scope: str

    @property
    def expected(self) -> Outcome:
        return self.row.expected(self.role, self.scope)

    @property
    def id(self) -> str:
        scope = {ANY: "", COLLEAGUE: " colleague-visit"}.get(self.scope, f" {self.scope}-study")
        # Plain ASCII: pytest escapes anything else in test ids.
        return f"{self.row.label} {self.role}{scope} -> {self.expected.value}"


def cases() -> list[Case]:
    return [Case(row, role, scope) for row in MATRIX for scope in row.scopes for role in ROLES]


def keys() -> set[tuple[str, str]]:
    return {(row.route, row.method) for row in MATRIX}
