"""Writes to a study's next discussion guide: the one its lead edits, that planning carries
into each new round and that every round not yet open follows."""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from studies.scheduling import policies, selectors
from studies.scheduling.models import GuideQuestion, NextGuideQuestion, Study
from studies.scheduling.services.rounds import GuideItem, guide_replace, study_today

SECTION_MAX_LENGTH = NextGuideQuestion._meta.get_field("section").max_length
# A guide is read aloud in a home in an hour or two; hundreds of questions are a mistake.
MAX_QUESTIONS = 200
MAX_QUESTION_LENGTH = 2000


def _item_errors(
    index: int, item: GuideItem, known: set[uuid.UUID], seen: set[uuid.UUID]
) -> Iterator[tuple[str, str]]:
    number = index + 1
    if "\x00" in item.text or "\x00" in (item.section or ""):
        # No database keeps a NUL character in text: refused here rather than failing there.
        yield (
            "text",
            _("Question %(number)d holds a character that cannot be saved.") % {"number": number},
        )
    elif not item.text:
        yield "text", _("Question %(number)d is empty: write it or remove it.") % {"number": number}
    elif len(item.text) > MAX_QUESTION_LENGTH:
        yield (
            "text",
            _("Question %(number)d is longer than %(max)d characters.")
            % {"number": number, "max": MAX_QUESTION_LENGTH},
        )
    if len(item.section or "") > SECTION_MAX_LENGTH:
        yield (
            "section",
            _("The section of question %(number)d is longer than %(max)d characters.")
            % {"number": number, "max": SECTION_MAX_LENGTH},
        )
    if item.key is not None and item.key not in known:
        yield "key", _("Question %(number)d is not one of this study's.") % {"number": number}
    elif item.key is not None and item.key in seen:
        yield "key", _("Question %(number)d is in the guide twice.") % {"number": number}


def _validate(*, study: Study, items: Sequence[GuideItem]) -> None:
    """Every problem at once, keyed by item and field (`items[2].text`), as the API reports
    problems of a list; nothing is saved when there is one."""
    if len(items) > MAX_QUESTIONS:
        raise ValidationError(
            {"items": [_("A guide holds at most %(max)d questions.") % {"max": MAX_QUESTIONS}]}
        )
    # A question keeps its key when it is the same question: one of the next guide, or of
    # any round of the study (the editor starts from the latest round's guide).
    known = set(study.next_guide.values_list("key", flat=True)) | set(
        GuideQuestion.objects.filter(round__study=study).values_list("key", flat=True)
    )
    errors: dict[str, list[str]] = {}
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(items):
        for field, message in _item_errors(index, item, known, seen):
            errors.setdefault(f"items[{index}].{field}", []).append(message)
        if item.key is not None:
            seen.add(item.key)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def next_guide_replace(*, study: Study, items: Sequence[GuideItem]) -> list[NextGuideQuestion]:
    """Make the study's next guide these questions, in this order, then make every round of
    the study whose window has not opened yet ask them too.

    An item with a key is that question, perhaps reworded or moved to another section: it
    keeps its key, and with it its answers in earlier rounds. An item without one is a new
    question. A question left out leaves the guide; in a round not yet open, one that has
    answers stays there, off the guide, with them (guide_replace).
    """
    study = Study.objects.select_for_update().get(pk=study.pk)
    policies.refuse_if_closed(study)
    items = [
        replace(item, text=item.text.strip(), section=(item.section or "").strip())
        for item in items
    ]
    _validate(study=study, items=items)
    study.next_guide.all().delete()
    questions = NextGuideQuestion.objects.bulk_create(
        NextGuideQuestion(
            study=study,
            key=item.key or uuid.uuid4(),
            position=position,
            section=item.section or "",
            text=item.text,
        )
        for position, item in enumerate(items)
    )
    follow = [
        GuideItem(text=question.text, key=question.key, section=question.section)
        for question in questions
    ]
    for round_ in selectors.rounds_following_next_guide(study=study, today=study_today(study)):
        guide_replace(round_=round_, questions=follow)
    return questions
