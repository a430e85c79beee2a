"""Search finds photos by their caption and their tags' names, on whichever database runs.

CI runs this file on SQLite (FTS5, kept in step by triggers) and on PostgreSQL (a tsvector
column written by triggers, with a GIN index): every expectation here must hold on both.
A later migration that rebuilds the photo, photo-tag or tag table on SQLite and forgets
the triggers fails the tests on tag changes below.
"""

import datetime as dt
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from studies.fieldwork.models import Photo, PhotoStatus, PhotoTag
from studies.fieldwork.services.photo_edits import PhotoChange, photo_delete, photo_update
from studies.fieldwork.services.photos import photo_ingest
from studies.privacy.services import consent_give, consent_withdraw
from studies.scheduling.models import Consent, ConsentKind
from studies.synthesis.search.service import marked_tags, search
from studies.synthesis.search.types import MARK_END, MARK_START, TAG_SEPARATOR
from studies.synthesis.services import insights
from studies.synthesis.services.tags import tag_merge
from tests.conftest import enrol_consenting
from tests.factories import (
    ConsentFactory,
    ObservationFactory,
    PhotoFactory,
    RoundFactory,
    TagFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

PHOTOS = {"photo"}


def hits_of(page):
    return [(hit.kind, hit.id) for hit in page.hits]


def found(field, query, **kwargs):
    """The photos the lead finds."""
    return [
        hit.id for hit in search(user=field.team.lead, query=query, kinds=PHOTOS, **kwargs).hits
    ]


def make_photo(visit, caption="", tags=(), **fields) -> Photo:
    photo = PhotoFactory(visit=visit, caption=caption, **fields)
    photo.tags.add(*tags)
    return photo


@pytest.fixture
def drawer(field) -> Photo:
    """A photo in the first round, of households[0], with two tags."""
    return make_photo(
        field.notes[0].visit,
        caption="Chest freezer with cereal-box dividers",
        tags=[field.delight, field.pain],
    )


def later(photo: Photo, minutes: int = 5) -> dt.datetime:
    return photo.captured_at + dt.timedelta(minutes=minutes)


def test_a_photo_is_found_by_its_caption_with_what_a_hit_shows(field, drawer):
    (hit,) = search(user=field.team.product, query="dividers").hits

    visit = drawer.visit
    assert hit.kind == "photo"
    assert hit.kind_label == "Photo"
    assert hit.id == drawer.pk
    assert (hit.title, hit.title_html, hit.speaker, hit.question) == ("", "", "", "")
    assert hit.text == "Chest freezer with cereal-box dividers"
    assert hit.snippet == "Chest freezer with cereal-box <mark>dividers</mark>"
    assert (hit.study_id, hit.study_title) == (field.team.study.pk, field.team.study.title)
    assert hit.round_label == "2026-Q3"
    assert hit.household_code == field.households[0].code
    assert hit.url == f"/visits/{visit.pk}/#photo-{drawer.pk}"
    assert hit.at == drawer.captured_at
    assert hit.thumbnail == reverse("photo-file", args=[drawer.pk, "thumb", "jpg"])
    assert hit.thumbnail_webp == reverse("photo-file", args=[drawer.pk, "thumb", "webp"])
    assert [(tag.name, tag.html) for tag in hit.tags] == [
        ("Freezer blindness", "Freezer blindness"),
        ("Joy of a clear shelf", "Joy of a clear shelf"),
    ]
    assert hit.cleared_for_marketing is None


def test_a_photo_is_found_by_a_tag_it_carries_with_the_match_marked(field, drawer):
    (hit,) = search(user=field.team.lead, query="blindness").hits

    assert hit.id == drawer.pk
    assert hit.snippet == "Chest freezer with cereal-box dividers"
    assert [tag.html for tag in hit.tags] == [
        "Freezer <mark>blindness</mark>",
        "Joy of a clear shelf",
    ]


def test_caption_and_tags_are_searched_as_one_text(field, drawer):
    assert found(field, "dividers blindness") == [drawer.pk]
    assert found(field, "cereal shelf") == [drawer.pk]
    assert found(field, "dividers -blindness") == []
    assert found(field, "dividers -tubs") == [drawer.pk]


def test_a_caption_match_ranks_above_a_tag_match(field):
    labels = TagFactory(study=field.team.study, name="Labels")
    by_tag = make_photo(field.notes[1].visit, caption="The fridge door", tags=[labels])
    by_caption = make_photo(field.notes[2].visit, caption="Labels on the fridge door")

    page = search(user=field.team.lead, query="labels", kinds=PHOTOS)

    assert hits_of(page) == [("photo", by_caption.pk), ("photo", by_tag.pk)]
    assert page.hits[0].rank > page.hits[1].rank > 0


def test_tags_added_and_taken_off_a_photo_are_found_at_once(field, drawer):
    change = PhotoChange(edited_at=later(drawer), tag_names=["Misc", "Joy of a clear shelf"])
    photo_update(photo=drawer, actor=field.team.researcher, change=change)

    assert found(field, "misc") == [drawer.pk]
    assert found(field, "blindness") == []
    assert found(field, "joy") == [drawer.pk]

    photo_update(
        photo=drawer,
        actor=field.team.researcher,
        change=PhotoChange(edited_at=later(drawer, 10), tag_names=[]),
    )

    assert found(field, "misc") == []
    assert found(field, "joy") == []
    assert found(field, "dividers") == [drawer.pk]


def test_a_new_tag_made_by_naming_it_is_found(field, drawer):
    change = PhotoChange(edited_at=later(drawer), tag_names=["Cereal-box hacks"])

    photo_update(photo=drawer, actor=field.team.researcher, change=change)

    (hit,) = search(user=field.team.lead, query="hacks", kinds=PHOTOS).hits
    assert [tag.html for tag in hit.tags] == ["Cereal-box <mark>hacks</mark>"]


def test_an_edited_caption_is_found_by_its_new_words_at_once(field, drawer):
    change = PhotoChange(edited_at=later(drawer), caption="Ice-cube tray of puréed carrots")

    photo_update(photo=drawer, actor=field.team.researcher, change=change)

    assert found(field, "dividers") == []
    assert found(field, "carrots") == [drawer.pk]
    assert found(field, "blindness") == [drawer.pk]  # its tags are still there


def test_a_renamed_tag_is_found_by_its_new_name_on_every_photo(field, drawer):
    other = make_photo(field.notes[1].visit, caption="Bags at the back", tags=[field.pain])
    field.pain.name = "Cold storage fog"
    field.pain.save(update_fields=["name"])

    assert found(field, "blindness") == []
    assert sorted(found(field, "fog")) == sorted([drawer.pk, other.pk])
    (hit,) = search(user=field.team.lead, query="dividers").hits
    assert [tag.name for tag in hit.tags] == ["Cold storage fog", "Joy of a clear shelf"]


def test_a_merged_tag_is_found_by_the_name_it_was_merged_into(field, drawer):
    both = make_photo(field.notes[1].visit, caption="Bags", tags=[field.pain, field.quotable])

    tag_merge(source=field.pain, into=field.quotable, actor=field.team.lead)

    assert found(field, "blindness") == []
    assert sorted(found(field, "say")) == sorted([drawer.pk, both.pk])
    (hit,) = search(user=field.team.lead, query="bags", kinds=PHOTOS).hits
    assert [tag.name for tag in hit.tags] == ["Say it like this"]


def test_a_deleted_tag_no_longer_finds_its_photos(field, drawer):
    field.pain.delete()

    assert found(field, "blindness") == []
    (hit,) = search(user=field.team.lead, query="dividers").hits
    assert [tag.name for tag in hit.tags] == ["Joy of a clear shelf"]


def test_a_photo_uploaded_with_tags_is_found_by_them(field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(image, "JPEG")
    visit = field.notes[2].visit

    photo = photo_ingest(
        visit=visit,
        author=field.team.researcher,
        content=image.getvalue(),
        caption="Garage fridge",
        tag_names=["Overflow shelf", "freezer blindness"],
        captured_at=timezone.now(),
    )

    (hit,) = search(user=field.team.lead, query="overflow").hits
    assert hit.id == photo.pk
    # Still being processed: found, without a thumbnail yet.
    assert photo.status == PhotoStatus.PENDING
    assert hit.thumbnail == ""
    assert [tag.name for tag in hit.tags] == ["Freezer blindness", "Overflow shelf"]


def test_only_photos_anyone_may_see_are_found(field, drawer):
    pending = make_photo(field.notes[1].visit, caption="Dividers, blurred", status="pending")
    failed = make_photo(
        field.notes[1].visit,
        caption="Dividers, unreadable",
        status=PhotoStatus.FAILED,
        failure_reason="Not an image.",
    )
    deleted = make_photo(field.notes[1].visit, caption="Dividers, deleted")
    photo_delete(photo=deleted, actor=field.team.researcher, edited_at=later(deleted))

    assert sorted(found(field, "dividers")) == sorted([drawer.pk, pending.pk])
    assert failed.pk not in found(field, "unreadable")

    consent = Consent.objects.get(household=field.households[0], kind=ConsentKind.PHOTOS)
    consent_withdraw(consent=consent, actor=field.team.lead)

    assert found(field, "dividers") == [pending.pk]

    consent_give(
        household=field.households[0],
        kind=ConsentKind.PHOTOS,
        version="v2",
        actor=field.team.lead,
    )

    assert sorted(found(field, "dividers")) == sorted([drawer.pk, pending.pk])


def test_search_finds_exactly_the_photos_shown_allows_that_did_not_fail(field):
    """The photo branch writes shown()'s consent rule in SQL of its own (for speed): held to
    shown()'s answers over every state a photo and its household's consent can be in."""
    study = field.team.study
    never = enrol_consenting(study, 1, prefix="N")[0]
    Consent.objects.filter(household=never, kind=ConsentKind.PHOTOS).delete()
    future, lapsed, again, other_kind = enrol_consenting(study, 4, prefix="C")
    Consent.objects.filter(household=future, kind=ConsentKind.PHOTOS).update(
        given_at=timezone.now() + dt.timedelta(days=1)
    )
    Consent.objects.filter(household__in=[lapsed, again], kind=ConsentKind.PHOTOS).update(
        withdrawn_at=timezone.now() - dt.timedelta(hours=1)
    )
    ConsentFactory(household=again, kind=ConsentKind.PHOTOS)
    Consent.objects.filter(household=other_kind, kind=ConsentKind.PHOTOS).delete()
    ConsentFactory(household=other_kind, kind=ConsentKind.MARKETING)
    photos = []
    visits = [note.visit for note in field.notes] + [
        VisitFactory(round=field.rounds[0], household=household)
        for household in (never, future, lapsed, again, other_kind)
    ]
    for visit in visits:
        photos += [
            make_photo(visit, caption="Pantry shelf"),
            make_photo(visit, caption="Pantry shelf", status=PhotoStatus.PENDING),
            make_photo(visit, caption="Pantry shelf", deleted_at=timezone.now()),
            make_photo(
                visit, caption="Pantry shelf", status=PhotoStatus.FAILED, failure_reason="x"
            ),
        ]

    page = search(user=field.team.lead, query="pantry", kinds=PHOTOS, page_size=50)

    allowed = Photo.objects.shown().exclude(status=PhotoStatus.FAILED)
    expected = set(
        allowed.filter(pk__in=[photo.pk for photo in photos]).values_list("pk", flat=True)
    )
    assert {hit.id for hit in page.hits} == expected
    # Ready and pending, of the three households of the fixture and `again`.
    assert page.total == len(expected) == 8


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing", "sales"])
def test_every_member_finds_the_photos_of_the_study(field, drawer, persona):
    page = search(user=getattr(field.team, persona), query="dividers")

    assert hits_of(page) == [("photo", drawer.pk)]


def test_nobody_finds_photos_of_a_study_they_are_not_on(field, drawer):
    study = field.team.outsider.memberships.get().study
    household = enrol_consenting(study, 1, prefix="O")[0]
    visit = VisitFactory(
        round=RoundFactory(study=study), household=household, researcher=field.team.outsider
    )
    theirs = make_photo(visit, caption="Their dividers")

    assert found(field, "dividers") == [drawer.pk]
    assert [hit.id for hit in search(user=field.team.outsider, query="dividers").hits] == [
        theirs.pk
    ]
    assert (
        search(user=field.team.outsider, query="dividers", study_id=field.team.study.pk).hits == []
    )


def test_round_and_tag_filters_narrow_photos_too(field, drawer):
    latest = make_photo(field.quotes[1].visit, caption="More dividers", tags=[field.loose])

    assert found(field, "dividers", round_id=field.rounds[0].pk) == [drawer.pk]
    assert found(field, "dividers", round_id=field.rounds[1].pk) == [latest.pk]
    assert found(field, "dividers", tag_id=field.pain.pk) == [drawer.pk]
    assert found(field, "dividers", tag_id=field.loose.pk) == [latest.pk]
    assert found(field, "dividers", tag_id=field.quotable.pk) == []


def test_photos_are_one_kind_among_the_others(field, drawer):
    note = ObservationFactory(visit=drawer.visit, text="Dividers made from cereal boxes.")
    insight = insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="Cereal-box dividers keep the freezer in order.",
        observation_ids=[note.pk],
        photo_ids=[drawer.pk],
    )

    everything = search(user=field.team.lead, query="dividers")
    no_photos = search(user=field.team.lead, query="dividers", kinds={"observation", "insight"})

    assert sorted(hits_of(everything)) == sorted(
        [("photo", drawer.pk), ("observation", note.pk), ("insight", insight.pk)]
    )
    assert sorted(hits_of(no_photos)) == sorted([("observation", note.pk), ("insight", insight.pk)])


def test_a_page_of_every_kind_costs_four_queries(field, drawer, django_assert_num_queries):
    for index in range(3):
        make_photo(field.notes[1].visit, caption=f"Freezer drawer {index}", tags=[field.pain])
    insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="The freezer hides what is in it.",
        observation_ids=[field.notes[0].pk],
    )

    # The ranked page with its highlights and photos' tags, then the page's observations,
    # its insights and its photos.
    with django_assert_num_queries(4):
        page = search(user=field.team.lead, query="freezer")

    assert {hit.kind for hit in page.hits} == {"observation", "quote", "insight", "photo"}
    assert all(hit.tags for hit in page.hits if hit.kind == "photo")


def test_the_characters_used_as_markers_cannot_forge_a_mark_or_split_a_tag(field):
    odd = TagFactory(study=field.team.study, name=f"odd{TAG_SEPARATOR}tag{MARK_START}")
    photo = make_photo(
        field.notes[0].visit, caption=f"dividers {MARK_END}here{MARK_START}", tags=[odd]
    )

    (hit,) = search(user=field.team.lead, query="dividers").hits

    assert hit.id == photo.pk
    assert hit.snippet == "<mark>dividers</mark> here"
    assert [(tag.name, tag.html) for tag in hit.tags] == [("oddtag", "oddtag")]


def test_tags_are_escaped_and_a_match_across_two_names_is_split_cleanly():
    marked = TAG_SEPARATOR.join(
        [
            f"Freezer {MARK_START}blindness",
            f"Hand{MARK_END}-written <labels>",
            f"{MARK_START}Zeal{MARK_END}",
            "apple & pear",
        ]
    )

    tags = marked_tags(marked)

    assert [(tag.name, tag.html) for tag in tags] == [
        ("apple & pear", "apple &amp; pear"),
        ("Freezer blindness", "Freezer <mark>blindness</mark>"),
        ("Hand-written <labels>", "<mark>Hand</mark>-written &lt;labels&gt;"),
        ("Zeal", "<mark>Zeal</mark>"),
    ]
    assert marked_tags("") == ()


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_photos_there_are_and_can_be_undone(team):
    visit = VisitFactory(
        round=RoundFactory(study=team.study),
        household=enrol_consenting(team.study, 1)[0],
        researcher=team.researcher,
    )
    tag = TagFactory(study=team.study, name="Freezer blindness")
    indexed = make_photo(visit, caption="Chest freezer", tags=[tag])
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("synthesis", "0008_insight_round_count")])
    before = PhotoFactory(visit=visit, caption="Drawer of bags")
    PhotoTag.objects.create(photo=before, tag=tag)

    MigrationExecutor(connection).migrate(latest)

    assert sorted(found_by(team, "blindness")) == sorted([indexed.pk, before.pk])
    assert found_by(team, "bags") == [before.pk]
    # The triggers are back too.
    before.tags.clear()
    assert found_by(team, "blindness") == [indexed.pk]


def found_by(team, query):
    return [hit.id for hit in search(user=team.lead, query=query, kinds=PHOTOS).hits]
