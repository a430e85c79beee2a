"""/api/v1/boards/ and /api/v1/cards/: the product board and the marketing quote bank,
their cards, and moving a card to a decision."""

import pytest

from studies.fieldwork.models import TagGroup
from studies.synthesis.models import BoardCard, CardEvent, Column
from tests.conftest import enrol_consenting
from tests.factories import ObservationFactory, TagFactory, VisitFactory
from tests.synthesis.api.conftest import iso, make_insight, ready_photo, tag_chip

pytestmark = pytest.mark.django_db

BOARDS = "/api/v1/boards/"


def cards_url(board) -> str:
    return f"{BOARDS}{board.slug}/cards/"


def move_url(card) -> str:
    return f"/api/v1/cards/{card.pk}/move/"


def card_of(insight, board) -> BoardCard:
    return BoardCard.objects.get(insight=insight, board=board)


def test_boards_are_listed_with_their_columns(client_for, field):
    response = client_for(field.team.marketing).get(BOARDS)

    assert response.status_code == 200

    def columns(*rows):
        return [
            {"column": column, "label": label, "decision": decision}
            for column, label, decision in rows
        ]

    assert response.json() == [
        {
            "id": str(field.marketing.pk),
            "slug": "marketing",
            "name": "Marketing board",
            "kind": "marketing",
            "columns": columns(
                ("new", "New", False),
                ("shortlisted", "Shortlisted", False),
                ("used", "Used in copy", True),
                ("parked", "Parked", False),
            ),
        },
        {
            "id": str(field.product.pk),
            "slug": "product",
            "name": "Product board",
            "kind": "product",
            "columns": columns(
                ("new", "New", False),
                ("exploring", "Exploring", False),
                ("planned", "Planned", True),
                ("shipped", "Shipped", True),
                ("parked", "Parked", False),
            ),
        },
    ]


def test_boards_are_for_people_on_a_study(client_for, api_client, field, admin):
    assert api_client.get(BOARDS).status_code == 401
    assert client_for(admin).get(BOARDS).json() == []
    assert client_for(admin).get(cards_url(field.product)).status_code == 404


def test_a_card_shows_its_insight_with_households_and_rounds(client_for, field):
    insight = make_insight(field, field.pain, evidence=[field.notes[0], field.quotes[1]])
    card = card_of(insight, field.product)
    insight.refresh_from_db()

    response = client_for(field.team.product).get(cards_url(field.product))

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(card.pk),
                "board": str(field.product.pk),
                "column": "new",
                "moved_at": iso(card.moved_at),
                "moved_by": None,
                "insight": {
                    "id": str(insight.pk),
                    "study": str(field.team.study.pk),
                    "statement": "People lose track of what is in the freezer.",
                    "description": "",
                    "research_question": None,
                    "tags": [tag_chip(field.pain)],
                    "evidence_count": 2,
                    "household_count": 2,
                    "latest_round": {"id": str(field.rounds[1].pk), "label": "2026-Q4"},
                    "cover_photo": None,
                    "first_observed_at": iso(insight.first_observed_at),
                    "created_at": iso(insight.created_at),
                    "updated_at": iso(insight.updated_at),
                },
                "rounds": [
                    {"id": str(field.rounds[0].pk), "label": "2026-Q3"},
                    {"id": str(field.rounds[1].pk), "label": "2026-Q4"},
                ],
                # Never put up for a pressure test (tests/loop/ has cards that were).
                "pressure_test": None,
            }
        ],
    }


@pytest.fixture
def board_of_four(field):
    """Four cards on the product board, oldest move first."""
    field.households[1].segment = {"household size": "2", "region": "south"}
    field.households[1].save(update_fields=["segment"])
    workaround = TagFactory(study=field.team.study, name="Hack", group=TagGroup.WORKAROUND)
    made = {
        "early": make_insight(field, field.pain, statement="early", evidence=field.notes[:1]),
        "late": make_insight(field, field.pain, statement="late", evidence=field.quotes[2:]),
        "south": make_insight(field, workaround, statement="south", evidence=field.notes[1:2]),
        "moved": make_insight(field, field.pain, statement="moved", evidence=field.quotes[:1]),
    }
    card = card_of(made["moved"], field.product)
    card.column = Column.EXPLORING
    card.save(update_fields=["column"])
    return made, workaround


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["moved", "south", "late", "early"]),
        ({"round": "first"}, ["south", "early"]),
        ({"segment": "region=south"}, ["south"]),
        ({"segment": "suburban"}, ["moved", "early"]),
        ({"tag": "workaround"}, ["south"]),
        ({"column": "exploring"}, ["moved"]),
        ({"study": "own"}, ["moved", "south", "late", "early"]),
        ({"study": "other"}, []),
    ],
)
def test_cards_are_filtered_by_study_round_tag_segment_and_column(
    client_for, field, board_of_four, params, expected
):
    _, workaround = board_of_four
    stand_ins = {
        "first": str(field.rounds[0].pk),
        "workaround": str(workaround.pk),
        "own": str(field.team.study.pk),
        "other": str(field.team.outsider.memberships.get().study.pk),
    }
    params = {key: stand_ins.get(value, value) for key, value in params.items()}

    response = client_for(field.team.product).get(cards_url(field.product), params)

    assert response.status_code == 200
    assert [row["insight"]["statement"] for row in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"column": "used"},
            {
                "column": [
                    "“used” is not a column of Product board. Choose one of: "
                    "new, exploring, planned, shipped, parked."
                ]
            },
        ),
        ({"column": "later"}, {"column": ['"later" is not a valid choice.']}),
        ({"round": "Q3"}, {"round": ["Must be a valid UUID."]}),
    ],
)
def test_malformed_card_filters_are_a_400(client_for, field, params, errors):
    response = client_for(field.team.product).get(cards_url(field.product), params)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_a_board_is_reached_by_slug_or_id_only(client_for, field):
    client = client_for(field.team.product)

    assert client.get(f"{BOARDS}{field.product.pk}/cards/").status_code == 200
    assert client.get(f"{BOARDS}sales/cards/").status_code == 404


def test_cards_of_other_studies_stay_hidden(client_for, field):
    make_insight(field, field.pain)

    response = client_for(field.team.outsider).get(cards_url(field.product))

    assert response.json()["count"] == 0


def test_the_board_costs_the_same_queries_for_more_cards(
    client_for, field, board_of_four, django_assert_num_queries
):
    client = client_for(field.team.product)
    # whether the user is on a study, the board, the count, the page of cards joined to
    # insight, study, latest round, cover photo and mover, the page's tags, then the rounds
    # backing the page: its evidence, then those rounds
    with django_assert_num_queries(7):
        client.get(cards_url(field.product))
    households = enrol_consenting(field.team.study, 5, prefix="B")
    for index, household in enumerate(households):
        visit = VisitFactory(
            round=field.rounds[index % 2], household=household, researcher=field.team.researcher
        )
        make_insight(
            field,
            field.pain,
            TagFactory(study=field.team.study, name=f"Extra {index}"),
            statement=f"More {index}",
            evidence=[ObservationFactory(visit=visit), *field.notes],
        )
        ready_photo(visit)

    with django_assert_num_queries(7):
        response = client.get(cards_url(field.product))

    assert response.json()["count"] == 9


def test_product_moves_a_card_to_a_decision_with_a_note(client_for, field):
    insight = make_insight(field, field.pain)
    card = card_of(insight, field.product)

    response = client_for(field.team.product).post(
        move_url(card), {"column": "planned", "note": "Next sprint"}
    )

    assert response.status_code == 200
    card.refresh_from_db()
    body = response.json()
    assert (body["id"], body["column"], body["moved_by"], body["moved_at"]) == (
        str(card.pk),
        "planned",
        "product",
        iso(card.moved_at),
    )
    event = card.events.get(kind=CardEvent.Kind.MOVED)
    assert (event.from_column, event.to_column, event.actor, event.note) == (
        "new",
        "planned",
        field.team.product,
        "Next sprint",
    )
    decision = client_for(field.team.lead).get(f"/api/v1/insights/{insight.pk}/").json()
    assert decision["boards"][0]["decision"] == {
        "column": "planned",
        "by": "product",
        "at": iso(event.created_at),
        "campaign": "",
    }


@pytest.mark.parametrize(
    ("board", "persona", "code"),
    [
        ("product", "marketing", 403),
        ("product", "researcher", 403),
        ("marketing", "product", 403),
        ("marketing", "marketing", 200),
        ("product", "lead", 200),
        ("product", "outsider", 404),
    ],
)
def test_who_may_move_cards_depends_on_the_board(client_for, field, board, persona, code):
    insight = make_insight(field, field.pain, field.quotable)
    card = card_of(insight, getattr(field, board))
    column = "shortlisted" if board == "marketing" else "exploring"

    response = client_for(getattr(field.team, persona)).post(move_url(card), {"column": column})

    assert response.status_code == code
    card.refresh_from_db()
    assert card.column == (column if code == 200 else "new")


def test_moving_to_an_unknown_column_changes_nothing(client_for, api_client, field):
    card = card_of(make_insight(field, field.quotable), field.marketing)
    assert api_client.post(move_url(card), {"column": "used"}).status_code == 401

    response = client_for(field.team.marketing).post(move_url(card), {"column": "shipped"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "column": [
                "“shipped” is not a column of Marketing board. Choose one of: "
                "new, shortlisted, used, parked."
            ]
        }
    }
    card.refresh_from_db()
    assert card.column == "new"
    assert not card.events.filter(kind=CardEvent.Kind.MOVED).exists()


def test_a_card_taken_off_its_board_cannot_move(client_for, field):
    insight = make_insight(field, field.pain)
    card = card_of(insight, field.product)
    client_for(field.team.lead).patch(
        f"/api/v1/insights/{insight.pk}/", {"tags": [str(field.loose.pk)]}
    )

    response = client_for(field.team.product).post(move_url(card), {"column": "planned"})

    assert response.status_code == 409
    assert response.json() == {
        "errors": {"column": ["This insight is no longer on Product board."]}
    }
    card.refresh_from_db()
    assert card.column == "new"
