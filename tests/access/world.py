"""The objects every authorisation case acts on.

Two studies: the team's own (where every persona is a member) and another one led by the
outsider (where none of them is). Each holds the same things, so a row of the matrix can
point at "the visit" or "the insight" and get the one in the scope it runs for. Built once
per test module (tests/access/conftest.py); each case runs in a savepoint over it.
"""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from unittest import mock

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from studies.accounts.models import ApiToken
from studies.accounts.services import api_token_create
from studies.common import outbound
from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    Photo,
    PhotoStatus,
    PhotoUpload,
    Tag,
    TagGroup,
)
from studies.fieldwork.services import uploads
from studies.scheduling import services as scheduling
from studies.scheduling.models import (
    CalendarFeed,
    Consent,
    ConsentKind,
    Household,
    ResearchQuestion,
    Round,
    Study,
    Visit,
)
from studies.synthesis.models import (
    Board,
    BoardCard,
    BoardKind,
    Evidence,
    Insight,
    RoutingRule,
    Webhook,
)
from studies.synthesis.services import insights as insight_services
from studies.synthesis.services import webhooks as webhook_services
from tests.conftest import Team
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    HouseholdFactory,
    MembershipFactory,
    ObservationFactory,
    RoundFactory,
    TagFactory,
    UserFactory,
    VisitFactory,
)
from tests.fieldwork.photo_support import jpeg_bytes
from tests.network import resolve_public

# Small, so completing an upload (which processes the photo inline) stays quick.
UPLOAD_BYTES = jpeg_bytes((64, 48), gps=False, xmp=False)
# What a stored rendition holds does not matter to who may fetch it.
RENDITION_BYTES = b"RIFF\x00\x00\x00\x00WEBPVP8 "


@dataclass
class Side:
    """One study and what is in it. In the own study, `visit` is the researcher's."""

    study: Study
    households: list[Household]  # [0] consents to marketing; [2] has no visit in `round`
    consent: Consent  # households[0]'s participation consent
    question: ResearchQuestion
    round: Round
    visit: Visit
    note: Observation
    quote: Observation  # in the quote bank: households[0] consents to marketing
    photo: Photo  # READY, with its files stored
    upload: PhotoUpload  # begun by the visit's researcher, nothing sent yet
    pain: Tag  # routes to the product board
    quotable: Tag  # routes to the marketing board
    spare_tag: Tag  # what merges go into
    insight: Insight  # on both boards, backed by `quote` and `note`
    evidence: Evidence  # the note's, removable (the quote's stays)
    product_card: BoardCard
    marketing_card: BoardCard
    member_to_remove: User


@dataclass
class Target:
    """What a case's URL and body name, in the scope it runs for."""

    side: Side
    visit: Visit
    observation: Observation
    photo: Photo
    upload: PhotoUpload
    token: ApiToken  # own: the acting persona's (the researcher's for anonymous); other: not

    def __getattr__(self, name: str) -> object:
        return getattr(self.side, name)


@dataclass
class World:
    team: Team
    admin: User
    own: Side
    other: Side
    colleague_visit: Visit  # researcher2's visit in the own study
    colleague_note: Observation
    colleague_photo: Photo
    colleague_upload: PhotoUpload
    newcomer: User  # on no team: someone a lead may add
    feed: CalendarFeed  # the researcher's
    revoked_feed: CalendarFeed
    rule: RoutingRule
    webhook: Webhook
    product_board: Board
    marketing_board: Board
    tokens: dict[str, ApiToken]  # each persona's own API token, by username

    def user(self, role: str) -> User | None:
        if role == "anonymous":
            return None
        if role == "admin":
            return self.admin
        return getattr(self.team, role)

    def target(self, scope: str, role: str) -> Target:
        if scope == "other":
            side = self.other
            token = self.tokens[self.team.outsider.username]
            return Target(side, side.visit, side.note, side.photo, side.upload, token)
        side = self.own
        token = self.tokens["researcher" if role == "anonymous" else role]
        if scope == "colleague":
            return Target(
                side,
                self.colleague_visit,
                self.colleague_note,
                self.colleague_photo,
                self.colleague_upload,
                token,
            )
        return Target(side, side.visit, side.note, side.photo, side.upload, token)


def _ready_photo(visit: Visit) -> Photo:
    photo = Photo.objects.create(
        visit=visit,
        author=visit.researcher,
        caption="The fridge door",
        captured_at=timezone.now() - dt.timedelta(minutes=30),
        status=PhotoStatus.READY,
    )
    names = {}
    for field in ("original", "web_webp", "web_jpeg", "thumb_webp", "thumb_jpeg"):
        names[field] = default_storage.save(
            f"photos/matrix/{photo.pk.hex}-{field}", ContentFile(RENDITION_BYTES)
        )
    Photo.objects.filter(pk=photo.pk).update(**names)
    photo.refresh_from_db()
    return photo


def _upload(visit: Visit) -> PhotoUpload:
    upload, _created = uploads.upload_create(
        author=visit.researcher,
        visit=visit,
        device_id=uuid.uuid4(),
        length=len(UPLOAD_BYTES),
        sha256=hashlib.sha256(UPLOAD_BYTES).hexdigest(),
        caption="Under the sink",
        captured_at=timezone.now() - dt.timedelta(minutes=20),
        observation_device_id=None,
    )
    return upload


def _webhook(board: Board) -> Webhook:
    # Its host resolves to a public address without asking DNS: tests never touch the network.
    with mock.patch.object(outbound, "getaddrinfo", resolve_public):
        return webhook_services.webhook_create(
            name="Product chat",
            url="https://chat.example.org/product",
            secret="s3cret-s3cret-s3cret",
            board_id=board.pk,
            active=True,
        )


def _side(study: Study, researcher: User, member_to_remove: User) -> Side:
    code = study.pk.hex[:4]
    households = [HouseholdFactory(code=f"M-{code}-{index}") for index in range(3)]
    for household in households:
        EnrolmentFactory(study=study, household=household)
    consent = ConsentFactory(household=households[0], kind=ConsentKind.PARTICIPATION)
    ConsentFactory(household=households[0], kind=ConsentKind.MARKETING)
    for household in households[1:]:
        ConsentFactory(household=household, kind=ConsentKind.PARTICIPATION)
    for household in households:
        ConsentFactory(household=household, kind=ConsentKind.PHOTOS)
    today = timezone.localdate()
    round_ = RoundFactory(
        study=study,
        label=f"Now-{code}",
        window_start=today - dt.timedelta(days=30),
        window_end=today + dt.timedelta(days=60),
    )
    start = timezone.now() - dt.timedelta(hours=1)
    visit = VisitFactory(
        round=round_,
        household=households[0],
        researcher=researcher,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
    )
    note = ObservationFactory(visit=visit, text="Stacks takeaway tubs in the freezer.")
    quote = ObservationFactory(
        visit=visit,
        kind=ObservationKind.QUOTE,
        text="I never know what is in the freezer until it is too late.",
        speaker="mother, 40s",
    )
    pain = TagFactory(study=study, name="Freezer blindness", group=TagGroup.PAIN_POINT)
    quotable = TagFactory(study=study, name="Say it like this", group=TagGroup.QUOTE_WORTHY)
    insight = insight_services.insight_create(
        study=study,
        actor=researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[quote.pk, note.pk],
        tag_ids=[pain.pk, quotable.pk],
    )
    cards = {card.board.kind: card for card in insight.cards.select_related("board")}
    return Side(
        study=study,
        households=households,
        consent=consent,
        question=ResearchQuestion.objects.create(study=study, text="Where does food go?"),
        round=round_,
        visit=visit,
        note=note,
        quote=quote,
        photo=_ready_photo(visit),
        upload=_upload(visit),
        pain=pain,
        quotable=quotable,
        spare_tag=TagFactory(study=study, name="Misc"),
        insight=insight,
        evidence=insight.evidence.get(observation=note),
        product_card=cards[BoardKind.PRODUCT],
        marketing_card=cards[BoardKind.MARKETING],
        member_to_remove=member_to_remove,
    )


def build_world(team: Team) -> World:
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    other_study = team.outsider.memberships.get().study
    # Someone each lead may take off their team: no visits, not the last lead.
    helper = UserFactory(username="helper")
    for study in (team.study, other_study):
        MembershipFactory(study=study, user=helper, role=Role.RESEARCHER)
    own = _side(team.study, team.researcher, helper)
    other = _side(other_study, team.outsider, helper)
    start = timezone.now() - dt.timedelta(hours=1)
    colleague_visit = VisitFactory(
        round=own.round,
        household=own.households[1],
        researcher=team.researcher2,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
    )
    revoked = scheduling.calendar_feed_get_or_create(researcher=team.researcher2)
    scheduling.calendar_feed_revoke(researcher=team.researcher2)
    revoked.refresh_from_db()
    product_board = Board.objects.get(kind=BoardKind.PRODUCT, slug="product")
    personas = [admin, team.lead, team.researcher, team.researcher2, team.product]
    personas += [team.marketing, team.sales, team.outsider]
    tokens = {user.username: api_token_create(user=user, name="Export")[0] for user in personas}
    return World(
        team=team,
        admin=admin,
        own=own,
        other=other,
        colleague_visit=colleague_visit,
        colleague_note=ObservationFactory(visit=colleague_visit, text="Buys rice in bulk."),
        colleague_photo=_ready_photo(colleague_visit),
        colleague_upload=_upload(colleague_visit),
        newcomer=UserFactory(username="newcomer"),
        feed=scheduling.calendar_feed_get_or_create(researcher=team.researcher),
        revoked_feed=revoked,
        rule=RoutingRule.objects.select_related("board").order_by("created_at", "pk").first(),
        webhook=_webhook(product_board),
        product_board=product_board,
        marketing_board=Board.objects.get(kind=BoardKind.MARKETING, slug="marketing"),
        tokens=tokens,
    )
