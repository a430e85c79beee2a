"""The weekly digest: one e-mail per person and team with what landed on its boards.

Who gets which digest follows study roles: the product role in a study brings that study's
product boards into the person's product digest, the marketing role its marketing boards
into the marketing digest. Leads, researchers and sales get none (they work the boards
rather than wait for them). Nobody gets an empty e-mail.

The week is the last whole week before the run, Monday 00:00 to Monday 00:00 UTC, rather
than the 168 hours before it: `week_starting` then names exactly what a digest holds, so
weeks neither overlap nor leave gaps when beat fires late, and a retried run (minutes or
hours later) works on the same week and finds what it already sent.

Sending once: each digest is claimed by inserting its DigestDelivery row (unique per
recipient, team and week) and committing, and only then sent. A duplicated or retried run
hits the constraint and skips it, so an e-mail is never sent twice. The price is the other
way round: a worker killed between the commit and the SMTP hand-over loses that digest for
the week. We take that over the alternative (sending inside the transaction), whose failed
commit after a delivered e-mail would send it again on the next run: a missing weekly
summary is a shrug, a repeated one teaches people to switch it off. A send that fails with
an error gives its claim back, so the task's retry sends it.
"""

import datetime as dt
import logging
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from studies.common.models import User
from studies.common.roles import Role
from studies.loop.models import DigestDelivery
from studies.scheduling.models import StudyMembership
from studies.synthesis.models import BoardCard, BoardKind, CardEvent, Column, QuoteUse
from studies.synthesis.selectors.decisions import card_timings

logger = logging.getLogger(__name__)

# The role that makes someone a member of a board kind's team.
TEAM_ROLE: dict[str, str] = {BoardKind.PRODUCT: Role.PRODUCT, BoardKind.MARKETING: Role.MARKETING}
TEAM_NAME = {
    BoardKind.PRODUCT: gettext_lazy("product"),
    BoardKind.MARKETING: gettext_lazy("marketing"),
}

OFF_LINK_SALT = "studies.loop.digest.off"
# A switch-off link works for about a quarter: long after its e-mail is read, not forever.
OFF_LINK_MAX_AGE = dt.timedelta(days=90)


class InvalidOffLink(ValidationError):
    """A switch-off link that was altered, is too old, or names no one any more."""


@dataclass(frozen=True)
class DigestItem:
    """One card in a digest: an insight that landed on a board, or reached a decision."""

    insight_id: uuid.UUID
    statement: str
    study: str
    board: str
    column: str  # the column's label: where it landed, or the decision it reached
    households: int
    url: str
    at: dt.datetime  # aware, UTC: when it happened


@dataclass
class Digest:
    recipient: User
    board_kind: str
    week_starting: dt.date
    landed: list[DigestItem] = field(default_factory=list)
    decided: list[DigestItem] = field(default_factory=list)

    @property
    def cards(self) -> int:
        return len(self.landed) + len(self.decided)

    @property
    def insights(self) -> int:
        return len({item.insight_id for item in [*self.landed, *self.decided]})

    @property
    def is_empty(self) -> bool:
        return not (self.landed or self.decided)


@dataclass
class DigestRunSummary:
    week_starting: dt.date
    sent: int = 0
    already_sent: int = 0  # claimed by an earlier or concurrent run
    nothing_landed: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "week_starting": self.week_starting.isoformat(),
            "sent": self.sent,
            "already_sent": self.already_sent,
            "nothing_landed": self.nothing_landed,
            "failed": self.failed,
        }


def digest_week_starting(now: dt.datetime) -> dt.date:
    """The Monday (UTC) of the last whole week before `now`."""
    today = now.astimezone(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday() + 7)


def _week_bounds(week_starting: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(week_starting, dt.time(0), tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=7)


def digest_teams(*, user: User) -> list[str]:
    """The board kinds whose digest the user would get, by their roles, product first."""
    return list(digest_team_studies(user=user))


def digest_team_studies(*, user: User) -> dict[str, list[str]]:
    """For each team the user is in, the titles of the studies they are in it for."""
    teams: dict[str, list[str]] = {}
    memberships = (
        StudyMembership.objects.filter(user=user, role__in=TEAM_ROLE.values())
        .order_by("study__title")
        .values_list("role", "study__title")
    )
    by_role: dict[str, list[str]] = defaultdict(list)
    for role, title in memberships:
        by_role[role].append(title)
    for kind, role in TEAM_ROLE.items():
        if by_role[role]:
            teams[kind] = by_role[role]
    return teams


def digest_collect(*, recipient: User, board_kind: str, week_starting: dt.date) -> Digest:
    """What landed in the week on boards of `board_kind`, in the studies where the recipient
    has that team's role: cards placed or put back (still on the board), and cards decided
    that week (synthesis.policies.card_decision, as every page counts decisions). A card
    shows once: under its decision if it was decided that week."""
    start, end = _week_bounds(week_starting)
    studies = StudyMembership.objects.filter(user=recipient, role=TEAM_ROLE[board_kind]).values(
        "study_id"
    )
    cards = BoardCard.objects.filter(
        board__kind=board_kind, study_id__in=studies, removed_at__isnull=True
    )
    in_week = {"created_at__gte": start, "created_at__lt": end}
    events = (
        CardEvent.objects.filter(
            card__in=cards, kind__in=[CardEvent.Kind.PLACED, CardEvent.Kind.RESTORED], **in_week
        )
        .select_related("card__board", "card__insight", "card__study")
        .order_by("created_at", "pk")
    )
    # A decision in the week is a move, or (marketing) a quote's use recorded, in the week.
    moved = CardEvent.objects.filter(card__in=cards, kind=CardEvent.Kind.MOVED, **in_week)
    used = QuoteUse.objects.filter(**in_week).values("observation__evidence__insight_id")
    candidates = cards.filter(Q(pk__in=moved.values("card_id")) | Q(insight_id__in=used))
    decided: dict[uuid.UUID, DigestItem] = {}
    for timing in card_timings(candidates.select_related("insight", "study")):
        decision = timing.decision
        if decision is not None and start <= decision.at < end:
            decided[timing.card.pk] = _item(timing.card, decision.column, decision.at)
    landed: dict[uuid.UUID, DigestItem] = {}
    for event in events:
        if event.card_id not in decided:
            # Later events win: the latest time it came back.
            landed[event.card_id] = _item(event.card, event.card.column, event.created_at)
    return Digest(
        recipient=recipient,
        board_kind=board_kind,
        week_starting=week_starting,
        landed=list(landed.values()),
        decided=sorted(decided.values(), key=lambda item: item.at),
    )


def _item(card: BoardCard, column: str, at: dt.datetime) -> DigestItem:
    return DigestItem(
        insight_id=card.insight_id,
        statement=card.insight.statement,
        study=card.study.title,
        board=card.board.name,
        column=str(Column(column).label),
        households=card.insight.household_count,
        url=settings.RESEARCHHUB_SITE_URL
        + reverse("frontend:insight", kwargs={"insight_id": card.insight_id}),
        at=at,
    )


def digest_off_token(*, user: User) -> str:
    return signing.dumps(user.pk, salt=OFF_LINK_SALT)


def digest_off_url(*, user: User) -> str:
    path = reverse("frontend:digest-off", kwargs={"token": digest_off_token(user=user)})
    return settings.RESEARCHHUB_SITE_URL + path


def digest_off_user(*, token: str) -> User:
    """The person a switch-off link was made for; InvalidOffLink if it is not a good link."""
    try:
        user_pk = signing.loads(token, salt=OFF_LINK_SALT, max_age=OFF_LINK_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise InvalidOffLink(
            _("This link has expired. Sign in and switch the digest off in your settings."),
            code="expired",
        ) from error
    except signing.BadSignature as error:
        raise InvalidOffLink(
            _("This link is not valid: it may have been cut short or changed on the way."),
            code="invalid",
        ) from error
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        raise InvalidOffLink(_("This link no longer belongs to an account."), code="no_user")
    return user


def weekly_digest_set(*, user: User, enabled: bool) -> User:
    """Switch the person's weekly digest on or off. Setting it to what it is writes nothing."""
    if user.weekly_digest != enabled:
        user.weekly_digest = enabled
        user.save(update_fields=["weekly_digest"])
    return user


def digests_send(*, now: dt.datetime | None = None) -> DigestRunSummary:
    """Send last week's digests: one per person and team, never empty, never twice.

    Safe to run again, or twice at once (see the module docstring)."""
    now = now or timezone.now()
    week_starting = digest_week_starting(now)
    summary = DigestRunSummary(week_starting=week_starting)
    done = set(
        DigestDelivery.objects.filter(week_starting=week_starting).values_list(
            "recipient_id", "board_kind"
        )
    )
    memberships = (
        StudyMembership.objects.filter(
            role__in=TEAM_ROLE.values(),
            user__is_active=True,
            user__weekly_digest=True,
        )
        .exclude(user__email="")
        .values_list("user_id", "role")
        .distinct()
        .order_by("user_id", "role")
    )
    kind_of_role = {role: kind for kind, role in TEAM_ROLE.items()}
    pairs = [(user_id, kind_of_role[role]) for user_id, role in memberships]
    recipients = User.objects.in_bulk({user_id for user_id, _kind in pairs})
    for user_id, kind in pairs:
        if (user_id, kind) in done:
            summary.already_sent += 1
            continue
        digest = digest_collect(
            recipient=recipients[user_id], board_kind=kind, week_starting=week_starting
        )
        if digest.is_empty:
            summary.nothing_landed += 1
            continue
        _claim_and_send(digest, summary)
    return summary


def _claim_and_send(digest: Digest, summary: DigestRunSummary) -> None:
    try:
        with transaction.atomic():
            delivery = DigestDelivery.objects.create(
                recipient=digest.recipient,
                board_kind=digest.board_kind,
                week_starting=digest.week_starting,
                cards=digest.cards,
            )
    except IntegrityError:
        summary.already_sent += 1
        return
    try:
        digest_message(digest).send()
    except Exception:
        # Give the claim back so a retry sends it; sending twice is what must never happen,
        # and nothing was sent.
        logger.exception("The %s digest to user %s failed", digest.board_kind, digest.recipient.pk)
        DigestDelivery.objects.filter(pk=delivery.pk).delete()
        summary.failed += 1
        return
    summary.sent += 1


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of a digest: plain text with an HTML alternative, times in the recipient's
    zone, and a switch-off link any mail program can follow (RFC 2369 and 8058)."""
    recipient = digest.recipient
    off_url = digest_off_url(user=recipient)
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(zoneinfo.ZoneInfo(recipient.time_zone)),
    ):
        team = TEAM_NAME[digest.board_kind]
        subject = ngettext(
            "ResearchHub %(team)s board: %(count)d insight landed this week",
            "ResearchHub %(team)s board: %(count)d insights landed this week",
            digest.insights,
        ) % {"team": team, "count": digest.insights}
        context = {
            "digest": digest,
            "subject": subject,
            "team": team,
            "name": recipient.get_short_name() or recipient.username,
            # Dates, not times: the week is a UTC one, named by its days.
            "week_first_day": digest.week_starting,
            "week_last_day": digest.week_starting + dt.timedelta(days=6),
            "time_zone": recipient.time_zone,
            "off_url": off_url,
            "settings_url": settings.RESEARCHHUB_SITE_URL + reverse("frontend:digest-settings"),
        }
        text = render_to_string("loop/email/digest.txt", context)
        html = render_to_string("loop/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        None,
        [recipient.email],
        headers={
            "List-Unsubscribe": f"<{off_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
