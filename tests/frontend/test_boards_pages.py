"""The boards, the insight page and the quote bank through Django's client: who sees what,
who may move and record, what refusals look like, and how many queries each page takes."""

import datetime as dt
import zoneinfo
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontend.boards import board as board_views
from studies.common.roles import Role
from studies.fieldwork.models import ObservationKind, Photo, PhotoStatus
from studies.scheduling.models import Consent, ConsentKind
from studies.scheduling.services.studies import consent_withdraw
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Column,
    Comment,
    Evidence,
    Insight,
    QuoteUse,
)
from studies.synthesis.services import boards, insights, quotes
from studies.synthesis.services.routing import insights_route
from tests.conftest import enrol_consenting
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    ObservationFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
    VisitFactory,
)
from tests.synthesis import conftest as synthesis
from tests.synthesis.conftest import Field

pytestmark = pytest.mark.django_db

# The synthesis tests' study with two rounds of quotes, notes, tags and both boards.
field = synthesis.field

STATEMENT = "People lose track of what is in the freezer."
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _ClassTexts(HTMLParser):
    """The text of every element carrying a class, in page order, elements apart."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
            self.found[-1] += " "
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1
            self.found[-1] += " "

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1] += data


def texts(response, css_class: str) -> list[str]:
    parser = _ClassTexts(css_class)
    parser.feed(response.content.decode())
    return [" ".join(text.split()) for text in parser.found]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_insight(field: Field, *tags, evidence=None, statement=STATEMENT, **extra) -> Insight:
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=statement,
        observation_ids=[o.pk for o in (field.quotes if evidence is None else evidence)],
        tag_ids=[tag.pk for tag in tags],
        **extra,
    )


def card(insight: Insight, board) -> BoardCard:
    return BoardCard.objects.get(insight=insight, board=board)


def board_url(slug: str = "product") -> str:
    return reverse("frontend:board", args=[slug])


def move_url(card_: BoardCard) -> str:
    return reverse("frontend:card-move", args=[card_.pk])


def insight_url(insight: Insight) -> str:
    return reverse("frontend:insight", args=[insight.pk])


def use_url(observation) -> str:
    return reverse("frontend:quote-use", args=[observation.pk])


def columns(response) -> dict[str, list[str]]:
    return {
        column.value: [card_.insight.statement for card_ in column.cards]
        for column in response.context["columns"]
    }


def tokyo(moment: dt.datetime) -> str:
    return timezone.localtime(moment, zoneinfo.ZoneInfo("Asia/Tokyo")).strftime("%-d %b %Y, %H:%M")


def ready_photo(visit, *, minutes_ago: int = 30) -> Photo:
    """A processed photo as the pipeline leaves it (the files are not read by these pages)."""
    return Photo.objects.create(
        visit=visit,
        author=visit.researcher,
        captured_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        status=PhotoStatus.READY,
        thumb_webp="photos/t.webp",
        thumb_jpeg="photos/t.jpg",
        web_jpeg="photos/w.jpg",
        caption="The freezer drawer, packed",
    )


# --- Who may open the pages ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["board", "insight", "quotes"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, field, name):
    insight = make_insight(field, field.pain)
    url = {"board": board_url(), "insight": insight_url(insight), "quotes": "/quotes/"}[name]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_outsider_gets_404_for_the_insight_and_its_card(field):
    insight = make_insight(field, field.pain)
    outsider = client_for(field.team.outsider)

    page = outsider.get(insight_url(insight))
    move = outsider.post(move_url(card(insight, field.product)), {"column": Column.PLANNED})

    assert page.status_code == move.status_code == 404
    assert STATEMENT not in page.content.decode()
    assert card(insight, field.product).column == Column.NEW


def test_an_outsider_sees_the_boards_and_bank_without_this_studys_cards_or_quotes(field):
    make_insight(field, field.pain, field.quotable)
    outsider = client_for(field.team.outsider)

    board = outsider.get(board_url())
    bank = outsider.get(reverse("frontend:quotes"))

    assert board.status_code == bank.status_code == 200
    assert columns(board) == {column: [] for column in field.product.columns}
    assert bank.context["rows"] == []
    for response in (board, bank):
        assert STATEMENT not in response.content.decode()


def test_someone_in_no_study_gets_404_for_a_board(client, field):
    client.force_login(UserFactory())

    assert client.get(board_url()).status_code == 404


ZERO = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/boards/no-such-board/"),
        ("get", f"/insights/{ZERO}/"),
        ("post", f"/insights/{ZERO}/comments/"),
        ("post", f"/cards/{ZERO}/move/"),
        ("post", f"/quotes/{ZERO}/uses/"),
    ],
)
def test_it_answers_404_for_what_does_not_exist(field, method, url):
    response = getattr(client_for(field.team.lead), method)(url, {"column": "planned"})

    assert response.status_code == 404


# --- The board ----------------------------------------------------------------------------


def test_the_product_board_shows_each_card_in_its_column_with_its_facts(field):
    explored = make_insight(
        field,
        field.pain,
        field.quotable,
        evidence=field.quotes[:2],
        statement="Freezers hide food.",
    )
    planned = make_insight(field, field.pain, evidence=field.notes, statement="Tubs pile up.")
    boards.card_move(
        card=card(planned, field.product), column=Column.PLANNED, actor=field.team.product
    )
    boards.card_move(
        card=card(explored, field.product), column=Column.EXPLORING, actor=field.team.product
    )
    make_insight(field, field.delight, statement="Only on the marketing board.")

    response = client_for(field.team.product).get(board_url())

    assert response.status_code == 200
    assert columns(response) == {
        "new": [],
        "exploring": ["Freezers hide food."],
        "planned": ["Tubs pile up."],
        "shipped": [],
        "parked": [],
    }
    assert texts(response, "board-column-head") == [
        "New 0",
        "Exploring 1",
        "Planned 1",
        "Shipped 0",
        "Parked 0",
    ]
    assert texts(response, "board-card-facts") == [
        "Evidence 2 Households 2 Latest round 2026-Q4",
        "Evidence 3 Households 3 Latest round 2026-Q3",
    ]
    assert texts(response, "tag-chip") == [
        "Freezer blindness",
        "Say it like this",
        "Freezer blindness",
    ]
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("UTC")).strftime("%-d %b %Y")
    assert texts(response, "board-card-decision") == [f"Decided by {field.team.product} on {today}"]
    # The keyboard way: each card a form with the board's columns, the current one chosen.
    html = response.content.decode()
    assert html.count('name="column"') == 2
    assert f'action="{move_url(card(planned, field.product))}"' in html
    assert '<option value="planned" selected>Planned</option>' in html
    assert html.count('draggable="true"') == 2
    # The tag's colour as an SVG fill: the CSP allows no inline styles.
    assert '<rect width="1" height="1" fill="#5b6b7f"/>' in html


def test_the_marketing_board_has_its_own_columns_in_the_same_template(field):
    make_insight(field, field.quotable)

    response = client_for(field.team.marketing).get(board_url("marketing"))

    assert response.status_code == 200
    assert [c.label for c in response.context["columns"]] == [
        "New",
        "Shortlisted",
        "Used in copy",
        "Parked",
    ]
    assert columns(response)["new"] == [STATEMENT]
    assert response.templates[0].name == "frontend/board.html"


def test_a_card_shows_its_cover_photo_through_the_authorising_photo_view(field):
    photo = ready_photo(field.quotes[0].visit)
    insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=STATEMENT,
        photo_ids=[photo.pk],
        tag_ids=[field.pain.pk],
    )

    html = client_for(field.team.product).get(board_url()).content.decode()

    assert f'srcset="/photos/{photo.pk}/thumb.webp"' in html
    assert f'src="/photos/{photo.pk}/thumb.jpg"' in html


@pytest.mark.parametrize(
    ("persona", "movable"),
    [("product", 1), ("lead", 1), ("researcher", 0), ("marketing", 0)],
)
def test_only_people_who_may_move_product_cards_get_the_move_form(field, persona, movable):
    make_insight(field, field.pain)

    html = client_for(getattr(field.team, persona)).get(board_url()).content.decode()

    assert html.count("data-move-form") == movable
    assert html.count('draggable="true"') == movable
    assert ("js/board.js" in html) is bool(movable)


def test_filters_narrow_the_board_by_round_tag_segment_and_study(field):
    make_insight(field, field.pain, evidence=field.notes, statement="From the first round.")
    make_insight(field, field.pain, field.delight, evidence=field.quotes[1:], statement="Latest.")
    product = client_for(field.team.product)
    study = field.team.study.pk

    def shown(**query) -> list[str]:
        response = product.get(board_url(), query)
        assert response.status_code == 200
        return sorted(s for statements in columns(response).values() for s in statements)

    assert shown() == ["From the first round.", "Latest."]
    assert shown(round=field.rounds[0].pk) == ["From the first round."]
    assert shown(tag=field.delight.pk) == ["Latest."]
    assert shown(segment="suburban") == ["From the first round."]
    assert shown(segment="region=north") == ["From the first round.", "Latest."]
    assert shown(study=study, round=field.rounds[1].pk) == ["Latest."]


def test_a_bad_filter_answers_400_says_so_and_keeps_the_good_ones(field):
    make_insight(field, field.pain, evidence=field.notes, statement="From the first round.")
    make_insight(field, field.pain, evidence=field.quotes[1:], statement="Latest.")
    other_study_round = VisitFactory().round

    response = client_for(field.team.product).get(
        board_url(), {"round": other_study_round.pk, "tag": "not-a-tag", "segment": "suburban"}
    )

    assert response.status_code == 400
    assert set(response.context["filter_form"].errors) == {"round", "tag"}
    assert columns(response)["new"] == ["From the first round."]


# --- Moving cards -------------------------------------------------------------------------


def test_a_product_designer_moves_a_card_with_the_form_and_comes_back(field):
    insight = make_insight(field, field.pain)
    product_card = card(insight, field.product)
    back = f"{board_url()}?tag={field.pain.pk}"

    response = client_for(field.team.product).post(
        move_url(product_card), {"column": "planned", "next": back}, follow=True
    )

    assert response.redirect_chain == [(back, 302)]
    assert texts(response, "message") == [f"Moved “{STATEMENT}” to Planned."]
    product_card.refresh_from_db()
    assert (product_card.column, product_card.moved_by) == (Column.PLANNED, field.team.product)
    event = CardEvent.objects.get(card=product_card, kind=CardEvent.Kind.MOVED)
    assert (event.from_column, event.to_column, event.actor) == (
        "new",
        "planned",
        field.team.product,
    )


def test_the_drag_and_drop_module_gets_json(field):
    insight = make_insight(field, field.pain)
    product_card = card(insight, field.product)

    response = client_for(field.team.product).post(
        move_url(product_card), {"column": "exploring"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    product_card.refresh_from_db()
    assert response.json() == {
        "card": {
            "id": str(product_card.pk),
            "column": "exploring",
            "column_label": "Exploring",
            "moved_at": product_card.moved_at.isoformat(),
            "moved_by": str(field.team.product),
        }
    }


def test_a_browser_form_post_gets_the_redirect_never_json(field):
    product_card = card(make_insight(field, field.pain), field.product)

    response = client_for(field.team.product).post(
        move_url(product_card), {"column": "shipped"}, HTTP_ACCEPT="text/html,*/*;q=0.8"
    )

    assert response.status_code == 302
    assert response["Location"] == board_url()


def test_the_move_redirect_never_leaves_the_site(field):
    product_card = card(make_insight(field, field.pain), field.product)

    response = client_for(field.team.product).post(
        move_url(product_card), {"column": "planned", "next": "https://elsewhere.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == board_url()


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize(
    ("persona", "board_slug"),
    [("product", "marketing"), ("researcher", "product"), ("marketing", "product")],
)
def test_people_whose_role_may_not_move_a_board_get_403_and_nothing_moves(
    field, persona, board_slug, as_json
):
    insight = make_insight(field, field.pain, field.quotable)
    target = card(insight, getattr(field, board_slug))
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}

    response = client_for(getattr(field.team, persona)).post(
        move_url(target), {"column": "parked"}, **headers
    )

    assert response.status_code == 403
    if as_json:
        assert response.json() == {
            "errors": {"card": ["Your role does not let you move this card."]}
        }
    target.refresh_from_db()
    assert target.column == Column.NEW
    assert not CardEvent.objects.filter(kind=CardEvent.Kind.MOVED).exists()


def test_a_marketer_moves_a_marketing_card(field):
    marketing_card = card(make_insight(field, field.quotable), field.marketing)

    response = client_for(field.team.marketing).post(
        move_url(marketing_card), {"column": "used"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    marketing_card.refresh_from_db()
    assert marketing_card.column == Column.USED


def test_an_outsider_moving_by_script_gets_a_json_404(field):
    product_card = card(make_insight(field, field.pain), field.product)

    response = client_for(field.team.outsider).post(
        move_url(product_card), {"column": "planned"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 404
    assert response.json() == {"errors": {"card": ["There is no such card."]}}


@pytest.mark.parametrize("column", ["used", "", "<b>planned</b>"])
def test_a_column_the_board_does_not_have_is_refused_with_400(field, column):
    product_card = card(make_insight(field, field.pain), field.product)
    product = client_for(field.team.product)

    by_script = product.post(
        move_url(product_card), {"column": column}, HTTP_ACCEPT="application/json"
    )
    by_form = product.post(move_url(product_card), {"column": column})

    assert by_script.status_code == by_form.status_code == 400
    message = (
        f"“{column}” is not a column of Product board. "
        "Choose one of: new, exploring, planned, shipped, parked."
    )
    assert by_script.json() == {"errors": {"column": [message]}}
    assert texts(by_form, "message-error") == [message]
    product_card.refresh_from_db()
    assert product_card.column == Column.NEW
    assert not CardEvent.objects.filter(kind=CardEvent.Kind.MOVED).exists()


def test_a_card_taken_off_its_board_cannot_be_moved_409(field):
    insight = make_insight(field, field.pain)
    insights.insight_update(insight=insight, actor=field.team.researcher, tag_ids=[])
    product_card = card(insight, field.product)

    response = client_for(field.team.product).post(
        move_url(product_card), {"column": "planned"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "errors": {"column": ["This insight is no longer on Product board."]}
    }
    product_card.refresh_from_db()
    assert product_card.column == Column.NEW


def test_moving_needs_post(field):
    product_card = card(make_insight(field, field.pain), field.product)

    assert client_for(field.team.product).get(move_url(product_card)).status_code == 405


# --- The insight page ---------------------------------------------------------------------


def test_the_insight_page_shows_the_insight_its_evidence_boards_and_history(field):
    team = field.team
    team.product.time_zone = "Asia/Tokyo"
    team.product.save(update_fields=["time_zone"])
    photo = ready_photo(field.notes[0].visit)
    insight = make_insight(
        field,
        field.pain,
        field.quotable,
        evidence=[field.quotes[0], field.quotes[2], field.notes[1]],
        research_question_id=field.question.pk,
    )
    insights.insight_update(insight=insight, actor=team.lead, description="Seen in most homes.")
    insights.insight_evidence_add(insight=insight, actor=team.lead, photo_ids=[photo.pk])
    # Late evening in UTC is the next morning in Tokyo: the page shows the viewer's zone.
    moment = (timezone.now() + dt.timedelta(days=3)).replace(hour=23, minute=30, microsecond=0)
    with time_machine.travel(moment, tick=False):
        boards.card_move(
            card=card(insight, field.product), column=Column.PLANNED, actor=team.product
        )
    insights.comment_create(insight=insight, author=team.marketing, text="Great for spring.")
    use = quotes.quote_use_record(
        quote=field.quotes[0],
        actor=team.marketing,
        campaign="Spring freezer campaign",
        link="https://example.org/spring",
        used_on=dt.date(2026, 11, 20),
    )
    household = field.households[0]

    response = client_for(team.product).get(insight_url(insight))

    assert response.status_code == 200
    assert texts(response, "insight-description") == ["Seen in most homes."]
    details = texts(response, "details")[0]
    assert details.startswith(
        "Research question Where does food go to waste? "
        "Tags Freezer blindness Say it like this Households 3 Rounds 2026-Q3 2026-Q4 "
        "First seen in a home"
    )
    assert [text.split(" — ")[-1] for text in texts(response, "quote")] == [
        f"{household.code}, parent of three, suburban",
        f"{field.households[2].code}, household size 4, region north",
    ]
    assert texts(response, "evidence-text") == [field.notes[1].text]
    assert f'src="/photos/{photo.pk}/thumb.jpg"' in response.content.decode()
    assert texts(response, "badge-cleared") == ["Cleared for marketing"]
    # The quote's use decided the marketing card (and moved it to Used in copy).
    assert texts(response, "placement-when") == [
        f"Decided when a quote was used in Spring freezer campaign, recorded by "
        f"{team.marketing} on {tokyo(use.created_at)} "
        f"{(use.created_at - insight.first_observed_at).days} days after it was first seen "
        "in a home",
        f"Planned: decided by {team.product} on {tokyo(moment)} "
        f"{(moment - insight.first_observed_at).days} days after it was first seen in a home",
    ]
    assert texts(response, "history-what")[0] == "Product board: moved from New to Planned"
    assert sorted(texts(response, "history-what")[1:]) == [
        "Marketing board: moved from New to Used in copy",
        "Placed on Marketing board in New",
        "Placed on Product board in New",
    ]
    assert texts(response, "use-campaign") == [
        "Spring freezer campaign · Open link (Spring freezer campaign)"
    ]
    assert texts(response, "comment-text") == ["Great for spring."]
    assert "Times in Asia/Tokyo" in response.content.decode()
    # Pseudonyms only: the names behind the codes never reach product or marketing.
    for contact_household in field.households:
        assert contact_household.contact.name not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "edits", "comments"),
    [("researcher", True, True), ("product", False, True), ("marketing", False, True)],
)
def test_only_researchers_get_the_edit_and_evidence_forms(field, persona, edits, comments):
    insight = make_insight(field, field.pain)

    html = client_for(getattr(field.team, persona)).get(insight_url(insight)).content.decode()

    assert (reverse("frontend:insight-edit", args=[insight.pk]) in html) is edits
    assert ("Remove from evidence" in html) is edits
    assert (reverse("frontend:insight-comment", args=[insight.pk]) in html) is comments


def test_a_researcher_edits_the_insight_and_its_tags_re_route_it(field):
    insight = make_insight(field, field.pain, field.quotable)

    response = client_for(field.team.researcher).post(
        reverse("frontend:insight-edit", args=[insight.pk]),
        {
            "statement": "  Freezers are   black holes. ",
            "description": "Nobody knows what is at the bottom.",
            "tags": [str(field.pain.pk)],
            "research_question": str(field.question.pk),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == insight_url(insight)
    insight.refresh_from_db()
    assert (insight.statement, insight.description, insight.research_question) == (
        "Freezers are black holes.",
        "Nobody knows what is at the bottom.",
        field.question,
    )
    assert card(insight, field.marketing).removed_at is not None
    assert card(insight, field.product).removed_at is None


@pytest.mark.parametrize(
    ("data", "field_name", "message"),
    [
        ({"statement": "  "}, "statement", "Say in one sentence what was learned."),
        ({"statement": "x" * 301}, "statement", "Ensure this value has at most 300 characters"),
        ({"tags": ["not-a-uuid"]}, "tags", "Select a valid choice."),
        ({"research_question": "nope"}, "research_question", "Select a valid choice."),
    ],
)
def test_a_bad_edit_answers_400_next_to_the_field_and_changes_nothing(
    field, data, field_name, message
):
    insight = make_insight(field, field.pain)
    before = Insight.objects.values().get(pk=insight.pk)

    response = client_for(field.team.researcher).post(
        reverse("frontend:insight-edit", args=[insight.pk]),
        {"statement": "Changed", "tags": [str(field.pain.pk)], **data},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["edit_form"].errors[field_name])
    assert Insight.objects.values().get(pk=insight.pk) == before


def test_a_tag_of_another_study_cannot_be_put_on_the_insight(field):
    insight = make_insight(field, field.pain)
    foreign = TagFactory(name="Elsewhere")

    response = client_for(field.team.researcher).post(
        reverse("frontend:insight-edit", args=[insight.pk]),
        {"statement": STATEMENT, "tags": [str(foreign.pk)]},
    )

    assert response.status_code == 400
    assert list(insight.tags.all()) == [field.pain]


@pytest.mark.parametrize("persona", ["product", "marketing"])
def test_product_and_marketing_may_not_edit_403(field, persona):
    insight = make_insight(field, field.pain)

    response = client_for(getattr(field.team, persona)).post(
        reverse("frontend:insight-edit", args=[insight.pk]), {"statement": "Mine now."}
    )

    assert response.status_code == 403
    insight.refresh_from_db()
    assert insight.statement == STATEMENT


def test_anyone_on_the_team_comments(field):
    insight = make_insight(field, field.pain)

    response = client_for(field.team.marketing).post(
        reverse("frontend:insight-comment", args=[insight.pk]), {"text": " Love this one. "}
    )

    assert response.status_code == 302
    assert response["Location"] == insight_url(insight) + "#comments"
    comment = Comment.objects.get()
    assert (comment.insight, comment.author, comment.text) == (
        insight,
        field.team.marketing,
        "Love this one.",
    )


@pytest.mark.parametrize(("persona", "status"), [("marketing", 400), ("outsider", 404)])
def test_an_empty_or_outside_comment_is_refused_and_nothing_is_saved(field, persona, status):
    insight = make_insight(field, field.pain)

    response = client_for(getattr(field.team, persona)).post(
        reverse("frontend:insight-comment", args=[insight.pk]), {"text": "   "}
    )

    assert response.status_code == status
    assert not Comment.objects.exists()


def test_a_researcher_removes_evidence_and_the_counts_follow(field):
    insight = make_insight(field, field.pain)
    removed = Evidence.objects.get(insight=insight, observation=field.quotes[2])

    response = client_for(field.team.researcher).post(
        reverse("frontend:insight-evidence-remove", args=[insight.pk]), {"evidence": removed.pk}
    )

    assert response.status_code == 302
    insight.refresh_from_db()
    assert (insight.evidence_count, insight.household_count) == (2, 2)


@pytest.mark.parametrize(
    ("persona", "which", "status", "message"),
    [
        ("researcher", "garbage", 400, "Choose the evidence to remove."),
        ("researcher", "other", 400, "is not evidence of this insight."),
        ("researcher", "last", 409, "An insight keeps at least one piece of evidence"),
        ("product", "mine", 403, None),
    ],
)
def test_refused_evidence_removals_change_nothing(field, persona, which, status, message):
    insight = make_insight(field, field.pain, evidence=field.quotes[:1])
    other = make_insight(field, field.pain, evidence=field.notes[:1], statement="Other.")
    evidence = {
        "garbage": "not-an-id",
        "other": Evidence.objects.get(insight=other).pk,
        "last": Evidence.objects.get(insight=insight).pk,
        "mine": Evidence.objects.get(insight=insight).pk,
    }[which]

    response = client_for(getattr(field.team, persona)).post(
        reverse("frontend:insight-evidence-remove", args=[insight.pk]), {"evidence": evidence}
    )

    assert response.status_code == status
    if message:
        assert message in " ".join(response.context["evidence_errors"])
    assert Evidence.objects.count() == 2


# --- The quote bank -----------------------------------------------------------------------


def test_the_quote_bank_lists_consented_quotes_of_marketing_insights_with_attribution(field):
    insight = make_insight(field, field.quotable)
    make_insight(field, field.pain, evidence=[field.quotes[1]], statement="Product only.")
    household = field.households[0]

    response = client_for(field.team.marketing).get(reverse("frontend:quotes"))

    assert response.status_code == 200
    # households[2] never consented to marketing use: its quote is not here.
    assert [row.quote for row in response.context["rows"]] == [field.quotes[1], field.quotes[0]]
    assert texts(response, "quote")[1] == (
        f"{field.quotes[0].text} — {household.code}, parent of three, suburban"
    )
    html = response.content.decode()
    assert (
        f'data-copy-text="{field.quotes[0].text} — {household.code}, parent of three, suburban"'
        in html
    )
    assert texts(response, "quote-insights")[1] == f"Backs the insights {STATEMENT}"
    assert insight_url(insight) in html
    assert 'href="/api/v1/quotes/export.csv"' in html
    assert 'href="/api/v1/quotes/export.md"' in html
    assert html.count('action="/quotes/') == 2
    for contact_household in field.households:
        assert contact_household.contact.name not in html
    assert field.quotes[0].speaker not in html


def test_a_withdrawn_marketing_consent_takes_the_quote_out_at_once(field):
    make_insight(field, field.quotable)
    marketer = client_for(field.team.marketing)
    assert len(marketer.get(reverse("frontend:quotes")).context["rows"]) == 2

    consent_withdraw(
        consent=Consent.objects.get(household=field.households[0], kind=ConsentKind.MARKETING)
    )

    response = marketer.get(reverse("frontend:quotes"))
    assert [row.quote for row in response.context["rows"]] == [field.quotes[1]]
    assert field.quotes[0].text not in response.content.decode()


def test_the_quote_bank_filters_and_its_exports_follow(field):
    make_insight(field, field.quotable)
    make_insight(field, field.delight, evidence=[field.quotes[1]], statement="Joy.")
    marketer = client_for(field.team.marketing)

    def shown(**query) -> list[str]:
        response = marketer.get(reverse("frontend:quotes"), query)
        assert response.status_code == 200
        return [row.quote.text for row in response.context["rows"]]

    assert shown(text="(0)") == [field.quotes[0].text]
    assert shown(segment="suburban") == [field.quotes[0].text]
    assert shown(tag=field.delight.pk) == [field.quotes[1].text]
    assert shown(round=field.rounds[0].pk) == []
    assert shown(study=field.team.study.pk, round=field.rounds[1].pk) == [
        field.quotes[1].text,
        field.quotes[0].text,
    ]
    html = marketer.get(reverse("frontend:quotes"), {"tag": field.delight.pk, "text": "x"})
    query = f"tag={field.delight.pk}&amp;text=x"
    assert f'href="/api/v1/quotes/export.csv?{query}"' in html.content.decode()
    assert f'href="/api/v1/quotes/export.md?{query}"' in html.content.decode()


def test_a_bad_quote_filter_answers_400(field):
    make_insight(field, field.quotable)

    response = client_for(field.team.marketing).get(
        reverse("frontend:quotes"), {"study": StudyFactory().pk}
    )

    assert response.status_code == 400
    assert list(response.context["filter_form"].errors) == ["study"]
    assert len(response.context["rows"]) == 2


def test_a_marketer_records_a_use_and_everyone_sees_it(field):
    insight = make_insight(field, field.quotable)
    quote = field.quotes[0]
    back = f"{reverse('frontend:quotes')}?text=freezer"
    prefix = f"use-{quote.pk}"

    response = client_for(field.team.marketing).post(
        use_url(quote),
        {
            f"{prefix}-campaign": "Spring freezer campaign",
            f"{prefix}-link": "https://example.org/spring",
            f"{prefix}-used_on": "2026-11-20",
            "next": back,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == back
    use = QuoteUse.objects.get()
    assert (use.observation, use.campaign, use.link, use.used_on, use.recorded_by) == (
        quote,
        "Spring freezer campaign",
        "https://example.org/spring",
        dt.date(2026, 11, 20),
        field.team.marketing,
    )
    bank = client_for(field.team.marketing).get(reverse("frontend:quotes"))
    assert texts(bank, "quote-uses")[0] == (
        "Used 1 time Spring freezer campaign 20 Nov 2026 Open link (Spring freezer campaign)"
    )
    page = client_for(field.team.product).get(insight_url(insight))
    assert texts(page, "use-campaign") == [
        "Spring freezer campaign · Open link (Spring freezer campaign)"
    ]


def test_a_use_without_a_date_is_dated_today(field):
    make_insight(field, field.quotable)
    quote = field.quotes[1]

    response = client_for(field.team.marketing).post(
        use_url(quote), {f"use-{quote.pk}-campaign": "Newsletter"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:quotes")
    assert QuoteUse.objects.get().used_on == timezone.localdate()


@pytest.mark.parametrize(
    ("persona", "status"), [("product", 403), ("researcher", 403), ("outsider", 404)]
)
def test_people_who_may_not_use_quotes_cannot_record_uses(field, persona, status):
    make_insight(field, field.quotable)
    quote = field.quotes[0]

    response = client_for(getattr(field.team, persona)).post(
        use_url(quote), {f"use-{quote.pk}-campaign": "Sneaky"}
    )

    assert response.status_code == status
    assert not QuoteUse.objects.exists()


@pytest.mark.parametrize(
    ("data", "field_name", "message"),
    [
        ({"campaign": "   "}, "campaign", "Name the campaign or piece of copy."),
        ({"link": "javascript:alert(1)"}, "link", "Give the link as a full http(s) address."),
        ({"used_on": "20/11/2026x"}, "used_on", "Enter a valid date."),
        ({"used_on": "2099-01-01"}, "used_on", "That date is more than a year away."),
    ],
)
def test_a_bad_use_answers_400_next_to_the_field_and_records_nothing(
    field, data, field_name, message
):
    make_insight(field, field.quotable)
    quote = field.quotes[0]
    prefix = f"use-{quote.pk}"
    form = {"campaign": "Spring", **data}

    response = client_for(field.team.marketing).post(
        use_url(quote), {f"{prefix}-{key}": value for key, value in form.items()}
    )

    assert response.status_code == 400
    (row,) = response.context["rows"]
    assert row.quote == quote
    assert row.form.errors[field_name] == [message]
    assert message in response.content.decode()
    assert not QuoteUse.objects.exists()


def test_a_quote_outside_the_bank_cannot_be_used_409(field):
    make_insight(field, field.quotable)
    unconsented = field.quotes[2]

    response = client_for(field.team.marketing).post(
        use_url(unconsented), {f"use-{unconsented.pk}-campaign": "Spring"}
    )

    assert response.status_code == 409
    assert texts(response, "message-error") == [
        "This quote is not in the quote bank: its insight is not on a marketing board, or its "
        "household has not consented to marketing use."
    ]
    assert not QuoteUse.objects.exists()


# --- Queries ------------------------------------------------------------------------------


@pytest.fixture(params=["small", "grown"])
def sized_field(request, field: Field) -> Field:
    """One insight on each board, or many with photos, tags, moves, uses and a second study."""
    make_insight(field, field.pain, field.quotable)
    # Cards on the product board and quotes in the bank (households[2] never consented).
    field.expected = {"cards": 1, "quotes": 2}
    if request.param == "grown":
        field.expected = {"cards": 5, "quotes": 6}
        team = field.team
        households = enrol_consenting(team.study, 4, prefix="G")
        for index, household in enumerate(households):
            ConsentFactory(household=household, kind=ConsentKind.MARKETING)
            visit = VisitFactory(round=field.rounds[index % 2], household=household)
            said = ObservationFactory(
                visit=visit, kind=ObservationKind.QUOTE, text=f"Quote {index}"
            )
            photo = ready_photo(visit, minutes_ago=index)
            insight = insights.insight_create(
                study=team.study,
                actor=team.researcher,
                statement=f"Grown insight {index}",
                observation_ids=[said.pk, field.quotes[index % 2].pk],
                photo_ids=[photo.pk],
                tag_ids=[field.pain.pk, field.quotable.pk, field.delight.pk],
            )
            boards.card_move(
                card=card(insight, field.product), column=Column.PLANNED, actor=team.product
            )
            quotes.quote_use_record(quote=said, actor=team.marketing, campaign=f"C{index}")
        other = StudyFactory()
        MembershipFactory(study=other, user=team.product, role=Role.PRODUCT)
        MembershipFactory(study=other, user=team.marketing, role=Role.MARKETING)
        insights_route()
    return field


def test_the_board_page_takes_eighteen_queries(sized_field, django_assert_num_queries):
    product = client_for(sized_field.team.product)

    # session, user, board (access: any study, then the board), filter menus (studies,
    # rounds, tags), studies where the viewer may move cards, cards per column, the page of
    # each of the five columns, those cards with insight, study, round, cover photo and
    # mover, their tags, the boards to switch to, the menu (does the viewer conduct visits
    # anywhere)
    with django_assert_num_queries(18):
        response = product.get(board_url())

    assert response.status_code == 200
    assert sum(len(c) for c in columns(response).values()) == sized_field.expected["cards"]


def test_the_board_page_takes_eighteen_queries_filtered_too(sized_field, django_assert_num_queries):
    product = client_for(sized_field.team.product)
    query = {
        "round": sized_field.rounds[1].pk,
        "tag": sized_field.pain.pk,
        "segment": "region=north",
    }

    # the same: a filter is checked against the menus already loaded
    with django_assert_num_queries(18):
        response = product.get(board_url(), query)

    assert response.status_code == 200
    assert sum(len(c) for c in columns(response).values()) == sized_field.expected["cards"]


def test_the_quote_bank_takes_twelve_queries(sized_field, django_assert_num_queries):
    marketer = client_for(sized_field.team.marketing)

    # session, user, filter menus (studies, rounds, tags), studies where the viewer may
    # record uses, the page of quotes (one more than shown: is there a next page?) with
    # household, round and study, their tags, uses, and evidence with insights, the
    # marketing board to link to, the menu
    with django_assert_num_queries(12):
        response = marketer.get(reverse("frontend:quotes"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == sized_field.expected["quotes"]


def test_a_long_column_is_shown_a_page_at_a_time(field, monkeypatch):
    monkeypatch.setattr(board_views, "CARDS_PER_COLUMN", 2)
    made = [make_insight(field, field.pain, statement=f"Insight {index}") for index in range(5)]
    boards.card_move(
        card=card(made[0], field.product), column=Column.PLANNED, actor=field.team.product
    )
    product = client_for(field.team.product)

    first = product.get(board_url())
    second = product.get(board_url(), {"page": 2})
    last = product.get(board_url(), {"page": 3})

    # Most recently moved first: the card moved to Planned went last, then the newest placed.
    assert columns(first)["new"] == ["Insight 4", "Insight 3"]
    assert columns(first)["planned"] == ["Insight 0"]
    assert columns(second)["new"] == ["Insight 2", "Insight 1"]
    assert columns(second)["planned"] == []
    assert columns(last)["new"] == []
    totals = {column.value: column.total for column in first.context["columns"]}
    assert totals["new"] == 4
    assert totals["planned"] == 1
    assert first.context["next_page"] == 2
    assert first.context["previous_page"] is None
    assert last.context["next_page"] is None
    assert 'data-more="2"' in first.content.decode()


def test_the_navigation_marks_the_product_board_only_on_it(field):
    product = client_for(field.team.product)
    nav_link = f'<a href="{board_url()}" aria-current="page">'

    assert nav_link in product.get(board_url()).content.decode()
    assert nav_link not in product.get(board_url("marketing")).content.decode()
