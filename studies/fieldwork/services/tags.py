"""Tags as capture gives them: by name, in the visit's study, created when new.

Observations (through the sync) and photos (through uploads and photo edits) name their
tags the same way, so one function turns names into tags for both.
"""

import uuid
from collections.abc import Iterable

from django.utils.translation import gettext as _

from studies.fieldwork.models import Tag
from studies.scheduling.models import Study

MAX_TAGS = 20
MAX_TAG_LENGTH = 80


def normalise_tag_names(names: Iterable[str]) -> list[str]:
    """Names with runs of spaces collapsed, blanks dropped, case-insensitive repeats once."""
    unique: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            unique.setdefault(clean.casefold(), clean)
    return list(unique.values())


def tag_names_error(names: Iterable[str]) -> str | None:
    """What is wrong with a list of tag names given at capture; None when nothing is."""
    clean = normalise_tag_names(names)
    if len(clean) > MAX_TAGS:
        return _("At most %(max)d tags per item.") % {"max": MAX_TAGS}
    if any(len(name) > MAX_TAG_LENGTH for name in clean):
        return _("A tag name has at most %(max)d characters.") % {"max": MAX_TAG_LENGTH}
    return None


def tags_by_name(
    *, study_id: uuid.UUID, names: Iterable[str], known: dict[str, Tag] | None = None
) -> list[Tag]:
    """The study's tags by these names, matched case-insensitively, missing ones created.

    `known` (casefolded name → tag) saves the lookup when the caller already holds the
    study's tags, and learns the new ones. Creation holds the study's row lock, so two
    requests adding "Storage" and "storage" at once both find one tag instead of one of them
    failing on the case-insensitive unique constraint; names are created in sorted order so
    two items never wait on each other's tags in opposite orders. Must run in a transaction.
    """
    wanted = normalise_tag_names(names)
    if not wanted:
        return []
    if known is None:
        known = {tag.name.casefold(): tag for tag in Tag.objects.filter(study_id=study_id)}
    missing = [name for name in wanted if name.casefold() not in known]
    if missing:
        list(Study.objects.select_for_update().filter(pk=study_id).values_list("pk", flat=True))
        for tag in Tag.objects.filter(study_id=study_id):
            known.setdefault(tag.name.casefold(), tag)
        for name in sorted(missing, key=str.casefold):
            if name.casefold() not in known:
                known[name.casefold()] = Tag.objects.create(study_id=study_id, name=name)
    return [known[name.casefold()] for name in wanted]
