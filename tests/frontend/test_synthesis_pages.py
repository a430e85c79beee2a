"""The synthesis screen, the insights list and the tag pages: who may do what, what a
refusal leaves behind (nothing), what the filters show and how many queries each page takes."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
    Tag,
    TagGroup,
)
from studies.scheduling.models import GuideQuestion, ResearchQuestion
from studies.synthesis.models import Evidence, Insight, InsightTag
from studies.synthesis.services import insights as insight_services
from tests.conftest import enrol_consenting
from tests.factories import ObservationFactory, RoundFactory, TagFactory, VisitFactory
from tests.synthesis import conftest as synthesis_fixtures
from tests.synthesis.conftest import Field

# The synthesis tests' study: three households, two rounds of notes and quotes, tags, boards.
field = synthesis_fixtures.field

PICKED = re.compile(r'name="observations" value="([0-9a-f-]{36})"')
PHOTO_ITEM = re.compile(r'<li class="obs card obs-is-photo" id="photo-([0-9a-f-]{36})"')


def synthesis_url(field: Field) -> str:
    return reverse("frontend:synthesis", args=[field.team.study.pk])


def insights_url(field: Field) -> str:
    return reverse("frontend:insights", args=[field.team.study.pk])


def tags_url(field: Field) -> str:
    return reverse("frontend:tags", args=[field.team.study.pk])


def listed(response) -> set[uuid.UUID]:
    """The observations the synthesis screen offers to tick."""
    return {uuid.UUID(pk) for pk in PICKED.findall(response.content.decode())}


def photo_items(response) -> set[uuid.UUID]:
    """The photos the synthesis screen lists as items of their own."""
    return {uuid.UUID(pk) for pk in PHOTO_ITEM.findall(response.content.decode())}


def item_html(html: str, element_id: str) -> str:
    """One item of the list, from its <li> to the next item."""
    start = html.index(f'id="{element_id}"')
    end = html.find('<li class="obs card', start)
    return html[start : end if end != -1 else len(html)]


def add_photo(observation_or_visit, *, caption="", tags=(), **fields) -> Photo:
    attached = isinstance(observation_or_visit, Observation)
    visit = observation_or_visit.visit if attached else observation_or_visit
    photo = Photo.objects.create(
        visit=visit,
        observation=observation_or_visit if attached else None,
        author=visit.researcher,
        caption=caption,
        captured_at=fields.pop("captured_at", timezone.now()),
        status=fields.pop("status", PhotoStatus.READY),
        **fields,
    )
    PhotoTag.objects.bulk_create(PhotoTag(photo=photo, tag=tag) for tag in tags)
    return photo


def make_insight(
    field: Field, statement: str, *tags: Tag, evidence=None, question=None, description=""
):
    return insight_services.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement=statement,
        description=description,
        observation_ids=[o.pk for o in (evidence or field.quotes)],
        tag_ids=[tag.pk for tag in tags],
        research_question_id=question.pk if question else None,
    )


def tag(tag: Tag, *observations: Observation) -> None:
    ObservationTag.objects.bulk_create(ObservationTag(observation=o, tag=tag) for o in observations)


def link_counts(*tags: Tag) -> tuple[int, int]:
    return (
        ObservationTag.objects.filter(tag__in=tags).count(),
        InsightTag.objects.filter(tag__in=tags).count(),
    )


# --- Who may use which page -------------------------------------------------------------


@pytest.mark.parametrize("page", ["synthesis", "insights", "tags"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, field, page):
    url = reverse(f"frontend:{page}", args=[field.team.study.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("persona", ["lead", "researcher"])
def test_leads_and_researchers_may_synthesise(client, field, persona):
    client.force_login(getattr(field.team, persona))

    response = client.get(synthesis_url(field))

    assert response.status_code == 200
    assert listed(response) == {o.pk for o in field.quotes + field.notes}
    assert "Create insight" in response.content.decode()


@pytest.mark.parametrize("persona", ["product", "marketing"])
def test_product_and_marketing_may_not_synthesise(client, field, persona):
    client.force_login(getattr(field.team, persona))

    assert client.get(synthesis_url(field)).status_code == 403
    response = client.post(
        synthesis_url(field),
        {"action": "create", "statement": "Sneaky", "observations": [field.quotes[0].pk]},
    )

    assert response.status_code == 403
    assert not Insight.objects.exists()


@pytest.mark.parametrize("persona", ["product", "marketing", "researcher"])
def test_every_member_sees_the_insights_and_the_tags(client, field, persona):
    make_insight(field, "Freezers are black holes.", field.pain)
    client.force_login(getattr(field.team, persona))

    insights_page = client.get(insights_url(field))
    tags_page = client.get(tags_url(field))

    assert insights_page.status_code == tags_page.status_code == 200
    assert "Freezers are black holes." in insights_page.content.decode()
    assert "Freezer blindness" in tags_page.content.decode()
    # Only leads manage tags; the others get no forms for it.
    assert "Edit or merge" not in tags_page.content.decode()


def test_a_lead_gets_the_tag_forms(client, field):
    client.force_login(field.team.lead)

    html = client.get(tags_url(field)).content.decode()

    assert html.count("Edit or merge") == 4
    assert "Add the missing default tags" in html


@pytest.mark.parametrize("page", ["synthesis", "insights", "tags"])
def test_outsiders_get_404_and_see_nothing(client, field, page):
    client.force_login(field.team.outsider)

    response = client.get(reverse(f"frontend:{page}", args=[field.team.study.pk]))

    assert response.status_code == 404
    assert field.team.study.title not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("researcher", 403), ("product", 403)]
)
def test_only_leads_edit_merge_and_add_tags(client, field, persona, status):
    tag(field.loose, field.quotes[0])
    client.force_login(getattr(field.team, persona))

    responses = [
        client.post(
            reverse("frontend:tag-edit", args=[field.loose.pk]),
            {"name": "Renamed", "group": "", "colour": "#000000", "description": ""},
        ),
        client.post(
            reverse("frontend:tag-merge", args=[field.loose.pk]),
            {"into": field.pain.pk, "confirm": "1"},
        ),
        client.post(tags_url(field), {"name": "New", "group": "", "colour": "#000000"}),
        client.post(tags_url(field), {"defaults": "1"}),
    ]

    assert [response.status_code for response in responses] == [status] * 4
    field.loose.refresh_from_db()
    assert field.loose.name == "Misc"
    assert Tag.objects.filter(study=field.team.study).count() == 4
    assert link_counts(field.loose) == (1, 0)


def test_an_unknown_tag_is_404(client, field):
    client.force_login(field.team.lead)

    response = client.post(reverse("frontend:tag-edit", args=[uuid.uuid4()]), {"name": "x"})

    assert response.status_code == 404


# --- Making insights --------------------------------------------------------------------


def test_an_insight_from_two_households_in_two_rounds_shows_its_backing(client, field):
    client.force_login(field.team.researcher)
    evidence = [field.quotes[0], field.notes[1], field.quotes[1]]

    response = client.post(
        synthesis_url(field),
        {
            "action": "create",
            "statement": "  Freezers are   black holes. ",
            "description": "Nobody knows what is at the bottom.",
            "observations": [o.pk for o in evidence],
            "tags": [field.pain.pk],
            "research_question": field.question.pk,
        },
    )

    insight = Insight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{insights_url(field)}#insight-{insight.pk}"
    assert (insight.statement, insight.household_count, insight.evidence_count) == (
        "Freezers are black holes.",
        2,
        3,
    )
    assert insight.research_question == field.question
    assert set(insight.evidence.values_list("observation_id", flat=True)) == {
        o.pk for o in evidence
    }
    page = client.get(insights_url(field)).content.decode()
    card = page[page.index(f'id="insight-{insight.pk}"') :]
    assert "Insight created, backed by 2 households." in page
    assert "2 households" in card
    assert "3 pieces of evidence" in card
    assert card.index("2026-Q3") < card.index("2026-Q4")
    assert field.question.text in card
    assert "Freezer blindness" in card
    assert "Product board: New" in card
    assert reverse("frontend:insight", args=[insight.pk]) in card


def test_photos_can_be_evidence_too(client, field):
    photo = Photo.objects.create(
        visit=field.notes[2].visit,
        observation=field.notes[2],
        author=field.team.researcher,
        captured_at=timezone.now(),
        status=PhotoStatus.READY,
    )
    client.force_login(field.team.lead)

    screen = client.get(synthesis_url(field)).content.decode()
    response = client.post(
        synthesis_url(field),
        {"action": "create", "statement": "Shelves tell the story.", "photos": [photo.pk]},
    )

    assert f'name="photos" value="{photo.pk}"' in screen
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.photo_id, evidence.observation_id) == (photo.pk, None)
    assert Insight.objects.get().household_count == 1


def test_evidence_from_another_study_is_refused_and_nothing_is_created(client, field):
    foreign = ObservationFactory(visit=VisitFactory())
    client.force_login(field.team.lead)

    response = client.post(
        synthesis_url(field),
        {
            "action": "create",
            "statement": "Freezers are black holes.",
            "observations": [field.quotes[0].pk, foreign.pk],
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f"{foreign.pk} is not part of this study." in html
    # What was ticked is still ticked, to correct and send again.
    assert f'value="{field.quotes[0].pk}" id="pick-{field.quotes[0].pk}"' in html
    assert "checked" in html[html.index(f'id="pick-{field.quotes[0].pk}"') :][:400]
    assert not Insight.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"statement": "   "}, "Say in one sentence what was learned."),
        ({"observations": []}, "An insight needs evidence: choose at least one observation."),
        ({"observations": ["not-an-id"]}, "“not-an-id” is not a valid id."),
        ({"tags": ["00000000-0000-0000-0000-000000000000"]}, "is not part of this study."),
        ({"research_question": str(uuid.uuid4())}, "Select a valid choice."),
        ({"action": "explode"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_with_the_message_and_changes_nothing(client, field, changes, message):
    client.force_login(field.team.lead)
    data = {
        "action": "create",
        "statement": "Freezers are black holes.",
        "observations": [field.quotes[0].pk],
        **changes,
    }

    response = client.post(synthesis_url(field), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Insight.objects.exists()


def test_evidence_is_added_to_an_existing_insight(client, field):
    insight = make_insight(field, "Freezers are black holes.", evidence=[field.quotes[0]])
    client.force_login(field.team.researcher)
    url = f"{synthesis_url(field)}?kind=note"

    response = client.post(
        url,
        {
            "action": "add",
            "insight": insight.pk,
            "observations": [field.notes[1].pk, field.notes[2].pk, field.quotes[0].pk],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url}#main"
    insight.refresh_from_db()
    assert (insight.evidence_count, insight.household_count) == (3, 3)
    assert "Added 2 pieces of evidence to “Freezers are black holes.”." in (
        client.get(url).content.decode()
    )


def test_evidence_cannot_be_added_to_another_studys_insight(client, field):
    other_study = field.team.outsider.memberships.get().study
    other_round = RoundFactory(study=other_study)
    visit = VisitFactory(round=other_round, household=enrol_consenting(other_study, 1)[0])
    foreign = insight_services.insight_create(
        study=other_study,
        actor=field.team.outsider,
        statement="Theirs.",
        observation_ids=[ObservationFactory(visit=visit).pk],
    )
    client.force_login(field.team.lead)

    response = client.post(
        synthesis_url(field),
        {"action": "add", "insight": foreign.pk, "observations": [field.quotes[0].pk]},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert list(Evidence.objects.filter(insight=foreign).values_list("observation_id", flat=True))
    assert not Evidence.objects.filter(observation=field.quotes[0]).exists()


def test_adding_needs_an_insight_and_something_ticked(client, field):
    make_insight(field, "Freezers are black holes.", evidence=[field.quotes[0]])
    client.force_login(field.team.lead)

    response = client.post(synthesis_url(field), {"action": "add"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the insight to add the evidence to." in html
    assert "Tick at least one observation or photo to add." in html
    assert Evidence.objects.count() == 1


# --- Filters ------------------------------------------------------------------------------


@pytest.fixture
def filtered_field(field: Field) -> Field:
    field.households[2].segment = {"region": "south"}
    field.households[2].save(update_fields=["segment"])
    tag(field.pain, field.notes[0], field.quotes[2])
    return field


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda f: {"round": f.rounds[0].pk}, lambda f: f.notes),
        (lambda f: {"household": f.households[1].pk}, lambda f: [f.notes[1], f.quotes[1]]),
        (lambda f: {"segment": "suburban"}, lambda f: [f.notes[0], f.quotes[0]]),
        (lambda f: {"segment": "region=south"}, lambda f: [f.notes[2], f.quotes[2]]),
        (lambda f: {"tag": f.pain.pk}, lambda f: [f.notes[0], f.quotes[2]]),
        (lambda f: {"kind": ObservationKind.QUOTE}, lambda f: f.quotes),
        (lambda f: {"text": "TOO LATE"}, lambda f: f.quotes),
        (lambda f: {"kind": "note", "household": f.households[0].pk}, lambda f: [f.notes[0]]),
    ],
)
def test_each_filter_narrows_the_observations_exactly(client, filtered_field, query, expected):
    client.force_login(filtered_field.team.lead)

    response = client.get(synthesis_url(filtered_field), query(filtered_field))

    assert response.status_code == 200
    assert listed(response) == {o.pk for o in expected(filtered_field)}


def test_deleted_observations_and_other_studies_are_never_listed(client, field):
    field.notes[0].deleted_at = timezone.now()
    field.notes[0].save(update_fields=["deleted_at"])
    ObservationFactory(visit=VisitFactory())
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field))

    assert listed(response) == {o.pk for o in field.quotes + field.notes[1:]}


@pytest.mark.parametrize("query", [{"round": "nonsense"}, {"tag": str(uuid.uuid4())}])
def test_a_bad_filter_is_a_400_that_lists_nothing(client, field, query):
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), query)

    assert response.status_code == 400
    assert listed(response) == set()
    assert "Some filters could not be used" in response.content.decode()


def test_the_insights_list_filters_by_text_tag_and_question(client, field):
    other_question = ResearchQuestion.objects.create(study=field.team.study, text="Who shops?")
    freezer = make_insight(field, "Freezers are black holes.", field.pain, question=field.question)
    shelf = make_insight(field, "A clear shelf is a joy.", field.delight, question=other_question)
    quiet = make_insight(field, "Nobody labels tubs.", description="Freezer tape runs out.")
    client.force_login(field.team.product)

    def shown(query):
        html = client.get(insights_url(field), query).content.decode()
        return set(re.findall(r'id="insight-([0-9a-f-]{36})"', html))

    assert shown({}) == {str(freezer.pk), str(shelf.pk), str(quiet.pk)}
    assert shown({"text": "freezer"}) == {str(freezer.pk), str(quiet.pk)}
    assert shown({"tag": field.delight.pk}) == {str(shelf.pk)}
    assert shown({"question": field.question.pk}) == {str(freezer.pk)}
    assert shown({"text": "freezer", "tag": field.delight.pk}) == set()


# --- Tags -----------------------------------------------------------------------------------


def test_the_tags_page_groups_tags_and_counts_them_per_round(client, field):
    tag(field.pain, *field.notes, field.quotes[0])
    make_insight(field, "Freezers are black holes.", field.pain)
    client.force_login(field.team.marketing)

    html = client.get(tags_url(field)).content.decode()

    pain_card = html[html.index(f'id="tag-{field.pain.pk}"') :]
    pain_card = pain_card[: pain_card.index("</li>")]
    assert html.index("Pain point") < html.index("Delight") < html.index("Quote-worthy")
    assert html.index("Quote-worthy") < html.index("No group")
    assert "<strong>4</strong> observations" in pain_card
    assert "<strong>1</strong> insight" in pain_card
    assert "<dt>2026-Q3</dt><dd>3</dd>" in pain_card
    assert "<dt>2026-Q4</dt><dd>1</dd>" in pain_card


def test_a_lead_adds_a_tag(client, field):
    client.force_login(field.team.lead)

    response = client.post(
        tags_url(field),
        {
            "name": " Fridge  tetris ",
            "group": TagGroup.WORKAROUND,
            "colour": "#8a5300",
            "description": "Rearranging to fit.",
        },
    )

    assert response.status_code == 302
    new = Tag.objects.get(name="Fridge tetris")
    assert (new.study, new.group, new.colour, new.description) == (
        field.team.study,
        TagGroup.WORKAROUND,
        "#8a5300",
        "Rearranging to fit.",
    )


def test_a_new_tag_with_a_bad_colour_or_group_is_refused(client, field):
    client.force_login(field.team.lead)

    response = client.post(tags_url(field), {"name": "Odd", "group": "nonsense", "colour": "red"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Tag.objects.filter(name="Odd").exists()


def test_a_lead_adds_the_missing_default_tags_once(client, field):
    client.force_login(field.team.lead)

    client.post(tags_url(field), {"defaults": "1"})
    again = client.post(tags_url(field), {"defaults": "1"}, follow=True)

    assert Tag.objects.filter(study=field.team.study).count() == 10
    assert "Every default tag is already there; nothing changed." in again.content.decode()


def test_a_lead_renames_and_regroups_a_tag_keeping_its_links(client, field):
    tag(field.loose, *field.quotes)
    insight = make_insight(field, "Freezers are black holes.", field.loose)
    client.force_login(field.team.lead)

    response = client.post(
        reverse("frontend:tag-edit", args=[field.loose.pk]),
        {
            "name": "Lost in the freezer",
            "group": TagGroup.PAIN_POINT,
            "colour": "#a4262c",
            "description": "Food forgotten until it is too late.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{tags_url(field)}#tag-{field.loose.pk}"
    field.loose.refresh_from_db()
    assert (field.loose.name, field.loose.group, field.loose.colour) == (
        "Lost in the freezer",
        TagGroup.PAIN_POINT,
        "#a4262c",
    )
    assert link_counts(field.loose) == (3, 1)
    assert insight.cards.get(removed_at__isnull=True).board == field.product


def test_a_rename_onto_another_tags_name_is_a_400(client, field):
    client.force_login(field.team.lead)

    response = client.post(
        reverse("frontend:tag-edit", args=[field.loose.pk]),
        {"name": "freezer blindness", "group": "", "colour": "#5b6b7f", "description": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This study already has a tag called “freezer blindness”; merge into it instead." in html
    # The form comes back open, with what was typed.
    assert 'value="freezer blindness"' in html
    field.loose.refresh_from_db()
    assert field.loose.name == "Misc"


def test_merging_a_tag_into_itself_is_a_400_and_changes_nothing(client, field):
    tag(field.pain, *field.quotes)
    client.force_login(field.team.lead)

    for confirm in ["", "1"]:
        response = client.post(
            reverse("frontend:tag-merge", args=[field.pain.pk]),
            {"into": field.pain.pk, "confirm": confirm},
        )

        assert response.status_code == 400
        assert "A tag cannot be merged into itself." in response.content.decode()
    assert Tag.objects.filter(pk=field.pain.pk).exists()
    assert link_counts(field.pain) == (3, 0)


def test_merging_into_another_studys_tag_is_a_400(client, field):
    elsewhere = TagFactory(name="Elsewhere")
    client.force_login(field.team.lead)

    response = client.post(
        reverse("frontend:tag-merge", args=[field.pain.pk]),
        {"into": elsewhere.pk, "confirm": "1"},
    )

    assert response.status_code == 400
    assert "Choose a tag of this study to merge into." in response.content.decode()
    assert Tag.objects.filter(pk__in=[field.pain.pk, elsewhere.pk]).count() == 2


def test_a_merge_is_confirmed_first_then_keeps_every_link(client, field):
    source, into = field.loose, field.pain
    tag(source, field.quotes[0], field.quotes[1], field.notes[0])
    tag(into, field.quotes[1], field.quotes[2])
    make_insight(field, "Only the source.", source)
    make_insight(field, "Both.", source, into)
    make_insight(field, "Only the target.", into)
    tagged = {
        "observations": set(
            ObservationTag.objects.filter(tag__in=[source, into]).values_list(
                "observation_id", flat=True
            )
        ),
        "insights": set(
            InsightTag.objects.filter(tag__in=[source, into]).values_list("insight_id", flat=True)
        ),
    }
    assert link_counts(source, into) == (5, 4)
    client.force_login(field.team.lead)
    url = reverse("frontend:tag-merge", args=[source.pk])

    preview = client.post(url, {"into": into.pk})

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Merge “Misc” into “Freezer blindness”?" in html
    assert "2 observations will move to “Freezer blindness”" in html
    assert "and 1 insight." in html
    assert link_counts(source, into) == (5, 4)
    assert Tag.objects.filter(pk=source.pk).exists()

    response = client.post(url, {"into": into.pk, "confirm": "1"}, follow=True)

    assert response.redirect_chain == [(f"{tags_url(field)}#main", 302)]
    assert "“Misc” is merged into “Freezer blindness”: 2 observations and 1 insight moved" in (
        response.content.decode()
    )
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert (
        set(ObservationTag.objects.filter(tag=into).values_list("observation_id", flat=True))
        == (tagged["observations"])
    )
    assert (
        set(InsightTag.objects.filter(tag=into).values_list("insight_id", flat=True))
        == (tagged["insights"])
    )
    assert link_counts(into) == (4, 3)


# --- Photos and answers -------------------------------------------------------------------


def test_photos_are_listed_on_their_own_and_under_their_notes(client, field):
    alone = add_photo(
        field.quotes[0].visit, caption="The freezer drawer, packed", tags=[field.pain]
    )
    attached = add_photo(field.notes[1], caption="Tubs without labels")
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field))

    html = response.content.decode()
    assert photo_items(response) == {alone.pk}
    item = item_html(html, f"photo-{alone.pk}")
    assert f'name="photos" value="{alone.pk}"' in item
    assert reverse("photo-file", args=[alone.pk, "thumb", "jpg"]) in item
    assert "Photo: The freezer drawer, packed" in item
    assert "Freezer blindness" in item
    assert f"{field.households[0].code}</span>, parent of three, suburban" in item
    assert "Round 2026-Q4" in item
    assert 'data-label="Photo · ' in item
    note = item_html(html, f"obs-{field.notes[1].pk}")
    assert f'name="photos" value="{attached.pk}"' in note
    assert "Photo: Tubs without labels" in note


def test_the_photo_kind_lists_every_photo_and_no_observation(client, field):
    alone = add_photo(field.quotes[0].visit, caption="Drawer")
    attached = add_photo(field.notes[1], caption="Tubs")
    add_photo(field.notes[2], caption="Deleted", deleted_at=timezone.now())
    add_photo(field.notes[2], caption="Broken", status=PhotoStatus.FAILED, failure_reason="x")
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), {"kind": "photo"})

    assert response.status_code == 200
    assert photo_items(response) == {alone.pk, attached.pk}
    assert listed(response) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda f: {"kind": "photo", "tag": f.pain.pk}, lambda p: {p[0]}),
        (lambda f: {"kind": "photo", "text": "LABELS"}, lambda p: {p[1]}),
        (lambda f: {"kind": "photo", "household": f.households[1].pk}, lambda p: {p[1]}),
        (lambda f: {"kind": "photo", "round": f.rounds[1].pk}, lambda p: {p[0]}),
        (lambda f: {"kind": "photo", "segment": "suburban"}, lambda p: {p[0]}),
        # Without a kind, the note does not match the caption: its photo is listed alone.
        (lambda f: {"text": "labels"}, lambda p: {p[1]}),
    ],
)
def test_the_filters_apply_to_photos(client, field, query, expected):
    photos = [
        add_photo(field.quotes[0].visit, caption="Drawer", tags=[field.pain]),
        add_photo(field.notes[1], caption="No labels"),
    ]
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), query(field))

    assert photo_items(response) == {photo.pk for photo in expected(photos)}


@pytest.fixture
def answers(field: Field) -> list[Observation]:
    """One guide question carried from the first round into the latest, reworded, with an
    answer in each; and an answer to another question."""
    first = GuideQuestion.objects.create(
        round=field.rounds[0], position=0, text="What did you throw away?"
    )
    carried = GuideQuestion.objects.create(
        round=field.rounds[1], key=first.key, position=0, text="What went in the bin this week?"
    )
    other = GuideQuestion.objects.create(round=field.rounds[1], position=1, text="Who shops?")
    return [
        ObservationFactory(
            visit=visit,
            kind=ObservationKind.ANSWER,
            text=text,
            guide_question=question,
            question_text=question.text,
        )
        for visit, question, text in [
            (field.notes[0].visit, first, "Half a bag of spinach."),
            (field.quotes[1].visit, carried, "Bread, again."),
            (field.quotes[2].visit, other, "Me, on Saturdays."),
        ]
    ]


def test_an_answer_shows_the_question_in_the_words_it_was_asked(client, field, answers):
    GuideQuestion.objects.filter(pk=answers[0].guide_question_id).update(text="Reworded later")
    client.force_login(field.team.lead)

    html = client.get(synthesis_url(field)).content.decode()

    assert "Asked: “What did you throw away?”" in item_html(html, f"obs-{answers[0].pk}")
    assert "Asked: “What went in the bin this week?”" in item_html(html, f"obs-{answers[1].pk}")
    assert "Reworded later" not in html


def test_the_question_filter_lists_a_questions_answers_across_rounds(client, field, answers):
    client.force_login(field.team.lead)

    page = client.get(synthesis_url(field))
    response = client.get(synthesis_url(field), {"question": answers[0].guide_question.key})

    options = re.findall(r'<option value="([0-9a-f-]{36})">([^<]*)</option>', page.content.decode())
    key = str(answers[0].guide_question.key)
    # One option per question, in the latest round's words.
    assert (key, "What went in the bin this week?") in options
    assert [value for value, _text in options].count(key) == 1
    assert response.status_code == 200
    assert listed(response) == {answers[0].pk, answers[1].pk}


def test_an_unknown_question_is_a_400_that_lists_nothing(client, field, answers):
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), {"question": str(uuid.uuid4())})

    assert response.status_code == 400
    assert listed(response) == set()


# --- The selection ----------------------------------------------------------------------------


def test_a_refused_form_comes_back_with_the_whole_selection(client, field):
    photo = add_photo(field.quotes[0].visit, caption="The freezer drawer, packed")
    client.force_login(field.team.lead)
    # Ticked on other pages and filters: two quotes and a photo; on this one: a note.
    url = f"{synthesis_url(field)}?kind=note"

    response = client.post(
        url,
        {
            "action": "create",
            "statement": "",
            "observations": [field.notes[0].pk, field.quotes[0].pk, field.quotes[1].pk],
            "photos": [photo.pk],
            "tags": [field.pain.pk],
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Say in one sentence what was learned." in html
    assert "4 observations and photos ticked" in html
    tray = html[html.index("data-tray ") : html.index("</section>", html.index("data-tray "))]
    for observation in field.quotes[:2]:
        assert (
            f'name="observations" value="{observation.pk}" id="tray-{observation.pk}" checked'
        ) in tray
    assert f'name="photos" value="{photo.pk}" id="tray-{photo.pk}" checked' in tray
    assert "Quote · " in tray
    # A label keeps the start of the words: enough to know the item again.
    quote = "“I never know what is in the freezer until it is too late (0…”"
    assert f"{field.households[0].code}: {quote}" in tray
    assert "Photo · " in tray
    assert "The freezer drawer, packed" in tray
    # The note on this page is ticked where it is listed, and named in the tray.
    note = item_html(html, f"obs-{field.notes[0].pk}")
    assert re.search(r'id="pick-[^>]* checked>', note)
    assert f'id="tray-{field.notes[0].pk}"' not in tray
    assert "Stacks takeaway tubs in the freezer (0)." in tray
    # The tag chosen stays chosen.
    assert re.search(rf'value="{field.pain.pk}" data-tag-check checked', html)
    assert not Insight.objects.exists()


def test_a_refused_form_says_what_is_no_longer_there(client, field):
    photo = add_photo(field.notes[0].visit, caption="Gone")
    photo.deleted_at = timezone.now()
    photo.save(update_fields=["deleted_at"])
    client.force_login(field.team.lead)

    response = client.post(
        synthesis_url(field),
        {
            "action": "create",
            "statement": "Freezers are black holes.",
            "observations": [field.quotes[0].pk],
            "photos": [photo.pk],
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f"{photo.pk} is not part of this study." in html
    assert "1 ticked item is no longer available" in html
    assert f'data-tray-gone="{photo.pk}"' in html
    assert "1 observation or photo ticked" in html


def test_evidence_used_is_taken_out_of_the_browsers_selection_on_the_next_page(client, field):
    photo = add_photo(field.quotes[0].visit)
    client.force_login(field.team.lead)
    client.post(
        synthesis_url(field),
        {
            "action": "create",
            "statement": "Freezers are black holes.",
            "observations": [field.quotes[0].pk],
            "photos": [photo.pk],
        },
    )

    first = client.get(synthesis_url(field)).content.decode()
    second = client.get(synthesis_url(field)).content.decode()

    assert f'data-tray-used="{field.quotes[0].pk} {photo.pk}"' in first
    assert 'data-tray-used=""' in second


def test_a_refused_form_uses_nothing(client, field):
    client.force_login(field.team.lead)
    client.post(
        synthesis_url(field),
        {"action": "create", "statement": "", "observations": [field.quotes[0].pk]},
    )

    assert 'data-tray-used=""' in client.get(synthesis_url(field)).content.decode()


def test_the_selection_is_kept_per_user_and_study(client, field):
    client.force_login(field.team.researcher)

    html = client.get(synthesis_url(field)).content.decode()

    assert f'data-tray-key="rh-tray-{field.team.researcher.pk}-{field.team.study.pk}"' in html


def test_arriving_from_an_insight_chooses_it_to_add_to(client, field):
    insight = make_insight(field, "Freezers are black holes.", evidence=[field.quotes[0]])
    make_insight(field, "Another one.", evidence=[field.quotes[1]])
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), {"insight": insight.pk, "kind": "note"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{insight.pk}" selected>Freezers are black holes.</option>' in html
    assert "Add to this insight" in html
    # Kept as the filters change, and when they are cleared.
    assert f'<input type="hidden" name="insight" value="{insight.pk}">' in html
    assert f'href="{synthesis_url(field)}?insight={insight.pk}">Clear filters' in html


def test_adding_from_an_insights_link_goes_back_to_the_same_screen(client, field):
    insight = make_insight(field, "Freezers are black holes.", evidence=[field.quotes[0]])
    client.force_login(field.team.lead)
    url = f"{synthesis_url(field)}?insight={insight.pk}"

    response = client.post(
        url, {"action": "add", "insight": insight.pk, "observations": [field.notes[0].pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url}#main"
    assert set(insight.evidence.values_list("observation_id", flat=True)) == {
        field.quotes[0].pk,
        field.notes[0].pk,
    }


# A fixed id (not one made at collection): every worker must collect the same tests.
@pytest.mark.parametrize("insight", ["nonsense", "00000000-0000-4000-8000-000000000000"])
def test_an_insight_that_cannot_be_chosen_is_a_400_with_a_message(client, field, insight):
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), {"insight": insight})

    assert response.status_code == 400
    assert "That insight is not one of this study&#x27;s; choose one below." in (
        response.content.decode()
    )


def test_another_studys_insight_cannot_be_chosen(client, field):
    other_study = field.team.outsider.memberships.get().study
    visit = VisitFactory(
        round=RoundFactory(study=other_study), household=enrol_consenting(other_study, 1)[0]
    )
    foreign = insight_services.insight_create(
        study=other_study,
        actor=field.team.outsider,
        statement="Theirs.",
        observation_ids=[ObservationFactory(visit=visit).pk],
    )
    client.force_login(field.team.lead)

    response = client.get(synthesis_url(field), {"insight": foreign.pk})

    assert response.status_code == 400
    assert "Theirs." not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "shown"), [("lead", True), ("researcher", True), ("product", False)]
)
def test_the_insight_page_links_to_add_evidence_for_those_who_synthesise(
    client, field, persona, shown
):
    insight = make_insight(field, "Freezers are black holes.")
    client.force_login(getattr(field.team, persona))

    html = client.get(reverse("frontend:insight", args=[insight.pk])).content.decode()

    assert (f'href="{synthesis_url(field)}?insight={insight.pk}">Add evidence' in html) is shown


# --- Queries ------------------------------------------------------------------------------


@pytest.fixture(params=["small", "grown"])
def sized_field(request, field: Field) -> Field:
    """The field as it is, with one insight, and with more of everything the pages list."""
    make_insight(field, "Freezers are black holes.", field.pain, question=field.question)
    if request.param == "grown":
        study = field.team.study
        extra_round = RoundFactory(
            study=study,
            label="2027-Q1",
            window_start=dt.date(2027, 1, 1),
            window_end=dt.date(2027, 3, 31),
        )
        extra_tags = [TagFactory(study=study, group=TagGroup.DELIGHT) for _ in range(3)]
        for household in enrol_consenting(study, 3, prefix="G"):
            visit = VisitFactory(round=extra_round, household=household)
            observations = [ObservationFactory(visit=visit) for _ in range(3)]
            tag(extra_tags[0], *observations)
            tag(field.pain, observations[0])
            Photo.objects.create(
                visit=visit,
                observation=observations[0],
                author=visit.researcher,
                captured_at=timezone.now(),
                status=PhotoStatus.READY,
            )
            make_insight(field, f"Seen in {household.code}.", *extra_tags, evidence=observations)
        ResearchQuestion.objects.create(study=study, text="What gets thrown away?")
        GuideQuestion.objects.create(round=extra_round, position=0, text="Show me the freezer.")
    # A photo of its own, tagged, whatever the size.
    add_photo(field.quotes[0].visit, caption="The freezer drawer", tags=[field.pain])
    return field


def test_the_synthesis_screen_takes_seventeen_queries(
    client, sized_field, django_assert_num_queries
):
    client.force_login(sized_field.team.lead)

    # session, user, study, role (access), research questions, the insights to add to,
    # rounds, households, tags (filters and form), guide questions (filter), item count
    # (pages), the page's item ids (observations and photos merged), the page's
    # observations with visit, household, round and question, their tags, the page's
    # photos (of their own and under its notes), their tags, the menu (base.html)
    with django_assert_num_queries(17):
        response = client.get(synthesis_url(sized_field))

    assert response.status_code == 200
    assert photo_items(response)


def test_a_refused_form_reads_its_selection_in_nine_more_queries(
    client, sized_field, django_assert_num_queries
):
    client.force_login(sized_field.team.lead)
    every = Observation.objects.filter(visit__round__study=sized_field.team.study)
    data = {
        "action": "create",
        "statement": "",
        "observations": list(every.values_list("pk", flat=True)),
        "photos": list(Photo.objects.values_list("pk", flat=True)),
    }

    # the page's seventeen; the refusing service's savepoint (made, rolled back, released);
    # then the selection: its observations' and photos' ids in this study, the
    # observations with visit, household, round and question, their tags, the photos,
    # their tags
    with django_assert_num_queries(17 + 3 + 6):
        response = client.post(synthesis_url(sized_field), data)

    assert response.status_code == 400


def test_the_insights_list_takes_thirteen_queries(client, sized_field, django_assert_num_queries):
    client.force_login(sized_field.team.product)

    # session, user, study, role (access), tags and questions (filters), insight count
    # (pages), a page of insights with study, latest round, cover photo and question,
    # their tags, the boards they are on, the rounds backing them (evidence, then rounds),
    # the menu (base.html)
    with django_assert_num_queries(13):
        response = client.get(insights_url(sized_field))

    assert response.status_code == 200


def test_the_tags_page_takes_eight_queries(client, sized_field, django_assert_num_queries):
    client.force_login(sized_field.team.lead)

    # session, user, study, role (access), rounds, tags with insight counts, observation
    # counts per tag and round, the menu (base.html)
    with django_assert_num_queries(8):
        response = client.get(tags_url(sized_field))

    assert response.status_code == 200
