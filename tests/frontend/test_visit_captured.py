"""The visit page's "Captured" section: the visit's live observations (kind, text, the
question an answer was given to, speaker, tags, time) and its photos, those attached to a
note under the note, the others on their own, for everyone in the study, with the personal
data rules unchanged and a fixed number of queries."""

import datetime as dt
import re
from dataclasses import dataclass

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
)
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion
from tests.factories import ObservationFactory, TagFactory
from tests.frontend.conftest import SECRET_ADDRESS, SECRET_NAME, SECRET_PHONE, World

ITEM = re.compile(r'<li class="obs card captured-item[^"]*" id="((?:obs|photo)-[0-9a-f-]{36})"')


@dataclass
class Captured:
    world: World
    note: Observation
    quote: Observation
    answer: Observation
    on_note: Photo  # attached to the note
    alone: Photo  # a photo of its own, tagged
    pending: Photo  # of its own, still being processed
    fridge: Tag


def visit_url(world: World) -> str:
    return reverse("frontend:visit", args=[world.visit.pk])


def add_photo(world: World, minute: int, *, observation=None, tags=(), **fields) -> Photo:
    photo = Photo.objects.create(
        visit=world.visit,
        observation=observation,
        author=world.team.researcher,
        captured_at=world.visit.scheduled_start + dt.timedelta(minutes=minute),
        status=fields.pop("status", PhotoStatus.READY),
        **fields,
    )
    PhotoTag.objects.bulk_create(PhotoTag(photo=photo, tag=tag) for tag in tags)
    return photo


def add_observation(world: World, minute: int, **fields) -> Observation:
    return ObservationFactory(
        visit=world.visit,
        captured_at=world.visit.scheduled_start + dt.timedelta(minutes=minute),
        **fields,
    )


@pytest.fixture
def captured(world: World) -> Captured:
    fridge = TagFactory(study=world.team.study, name="Fridge tetris", colour="#8a5300")
    question = GuideQuestion.objects.get(round=world.current_round, text="Show me your fridge.")
    note = add_observation(world, 5, text="Leftovers stacked in takeaway tubs.")
    ObservationTag.objects.create(observation=note, tag=fridge)
    answer = add_observation(
        world,
        20,
        kind=ObservationKind.ANSWER,
        text="Everything at the back is forgotten.",
        guide_question=question,
        question_text=question.text,
    )
    quote = add_observation(
        world,
        30,
        kind=ObservationKind.QUOTE,
        text="I buy peas twice a month.",
        speaker="mother, 40s",
    )
    return Captured(
        world=world,
        note=note,
        quote=quote,
        answer=answer,
        on_note=add_photo(world, 6, observation=note, caption="The tubs"),
        alone=add_photo(world, 10, caption="The freezer drawer", tags=[fridge]),
        pending=add_photo(world, 40, status=PhotoStatus.PENDING),
        fridge=fridge,
    )


def items(html: str) -> list[str]:
    return ITEM.findall(html)


def item_html(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    end = html.find('<li class="obs card captured-item', start)
    return html[start : end if end != -1 else html.index("</section>", start)]


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
def test_everyone_in_the_study_sees_what_was_captured_in_the_order_taken(client, captured, persona):
    client.force_login(getattr(captured.world.team, persona))

    response = client.get(visit_url(captured.world))

    html = response.content.decode()
    assert response.status_code == 200
    assert items(html) == [
        f"obs-{captured.note.pk}",
        f"photo-{captured.alone.pk}",
        f"obs-{captured.answer.pk}",
        f"obs-{captured.quote.pk}",
        f"photo-{captured.pending.pk}",
    ]


def test_each_item_shows_what_gives_it_meaning(client, captured):
    client.force_login(captured.world.team.lead)

    html = client.get(visit_url(captured.world)).content.decode()

    note = item_html(html, f"obs-{captured.note.pk}")
    assert "Leftovers stacked in takeaway tubs." in note
    assert '<span class="badge badge-kind">Note</span>' in note
    assert "Fridge tetris" in note
    # The visit page shows the study's zone (Europe/London); the visit starts at 10:00.
    assert "10:05" in note
    assert f'<li id="photo-{captured.on_note.pk}">' in note
    assert reverse("photo-file", args=[captured.on_note.pk, "thumb", "jpg"]) in note
    assert reverse("photo-file", args=[captured.on_note.pk, "web", "jpg"]) in note
    assert "The tubs" in note
    answer = item_html(html, f"obs-{captured.answer.pk}")
    assert "Asked: “Show me your fridge.”" in answer
    assert '<span class="badge badge-kind">Answer</span>' in answer
    quote = item_html(html, f"obs-{captured.quote.pk}")
    assert "“I buy peas twice a month.”" in quote
    assert "said by mother, 40s" in quote
    alone = item_html(html, f"photo-{captured.alone.pk}")
    assert reverse("photo-file", args=[captured.alone.pk, "thumb", "jpg"]) in alone
    assert "The freezer drawer" in alone
    assert "Fridge tetris" in alone
    assert '<span class="badge badge-kind">Photo</span>' in alone
    pending = item_html(html, f"photo-{captured.pending.pk}")
    assert "Being processed" in pending
    assert "No caption" in pending
    assert reverse("photo-file", args=[captured.pending.pk, "thumb", "jpg"]) not in pending


def test_an_answer_keeps_the_words_it_was_asked_in(client, captured):
    GuideQuestion.objects.filter(pk=captured.answer.guide_question_id).update(
        text="Open the fridge for me."
    )
    client.force_login(captured.world.team.lead)

    html = client.get(visit_url(captured.world)).content.decode()

    assert "Asked: “Show me your fridge.”" in item_html(html, f"obs-{captured.answer.pk}")


def test_what_no_one_may_see_is_not_shown(client, captured):
    world = captured.world
    gone_note = add_observation(
        world, 50, text="Deleted on the phone.", deleted_at=world.visit.scheduled_start
    )
    orphan = add_photo(world, 51, observation=gone_note, caption="Its note was deleted")
    deleted = add_photo(world, 52, caption="Deleted photo", deleted_at=world.visit.scheduled_start)
    failed = add_photo(
        world, 53, caption="Broken", status=PhotoStatus.FAILED, failure_reason="Unreadable"
    )
    elsewhere = ObservationFactory(visit=world.other_visit, text="Another household's note.")
    client.force_login(world.team.lead)

    html = client.get(visit_url(world)).content.decode()

    assert "Deleted on the phone." not in html
    assert f"photo-{orphan.pk}" in items(html)
    assert "Deleted photo" not in html
    assert f"photo-{deleted.pk}" not in html
    assert f"photo-{failed.pk}" not in html
    assert elsewhere.text not in html


def test_photos_go_when_photo_consent_is_withdrawn(client, captured):
    world = captured.world
    Consent.objects.filter(household=world.visit.household, kind=ConsentKind.PHOTOS).update(
        withdrawn_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(world.team.lead)

    html = client.get(visit_url(world)).content.decode()

    assert items(html) == [
        f"obs-{captured.note.pk}",
        f"obs-{captured.answer.pk}",
        f"obs-{captured.quote.pk}",
    ]
    assert "The tubs" not in html


@pytest.mark.parametrize("persona", ["product", "marketing", "sales"])
def test_product_marketing_and_sales_see_the_code_and_the_captures_but_no_contact(
    client, captured, persona
):
    client.force_login(getattr(captured.world.team, persona))

    html = client.get(visit_url(captured.world)).content.decode()

    assert captured.world.visit.household.code in html
    assert "I buy peas twice a month." in html
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS):
        assert secret not in html


def test_the_research_team_still_sees_the_contact(client, captured):
    client.force_login(captured.world.team.researcher)

    html = client.get(visit_url(captured.world)).content.decode()

    assert SECRET_PHONE in html
    assert "I buy peas twice a month." in html


def test_a_visit_with_nothing_captured_says_so(client, world):
    client.force_login(world.team.lead)

    html = client.get(visit_url(world)).content.decode()

    assert "Nothing captured yet" in html
    assert items(html) == []


def test_outsiders_get_404_and_see_nothing(client, captured):
    client.force_login(captured.world.team.outsider)

    response = client.get(visit_url(captured.world))

    assert response.status_code == 404
    assert "I buy peas twice a month." not in response.content.decode()


@pytest.fixture(params=["small", "grown"])
def sized(request, captured: Captured) -> Captured:
    """The captured items as they are, and with many more of every kind."""
    if request.param == "grown":
        world = captured.world
        tags = [TagFactory(study=world.team.study) for _ in range(3)]
        for minute in range(60, 90):
            observation = add_observation(world, minute, kind=ObservationKind.QUOTE)
            ObservationTag.objects.bulk_create(
                ObservationTag(observation=observation, tag=t) for t in tags
            )
            add_photo(world, minute, observation=observation, tags=tags)
            add_photo(world, minute, tags=tags[:1])
    return captured


@pytest.mark.parametrize(("persona", "queries"), [("product", 12), ("researcher", 14)])
def test_the_visit_page_takes_a_fixed_number_of_queries(
    client, sized, persona, queries, django_assert_num_queries
):
    client.force_login(getattr(sized.world.team, persona))

    # session, user, visit with round, study and household, role (access), history, guide,
    # the captured observations with their question, their tags, the photos, their tags,
    # whether the household's marketing consent is in force (labels its quotes), the menu
    # (base.html); for the research team, the contact and the audit entry of it being shown
    with django_assert_num_queries(queries):
        response = client.get(visit_url(sized.world))

    assert response.status_code == 200
