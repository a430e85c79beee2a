"""The study's tag taxonomy: create, rename and regroup, merge two tags into one.

Tags are fieldwork's (docs/adr/0008-tags-live-with-capture.md); these writes keep every
observation, insight and routing rule linked through a rename or a merge.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.common.models import User
from studies.fieldwork.models import ObservationTag, PhotoTag, Tag, TagGroup
from studies.scheduling.models import Study
from studies.synthesis.models import InsightTag, RoutingRule
from studies.synthesis.services.routing import insights_route

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME_MAX = Tag._meta.get_field("name").max_length


def _clean(*, study: Study, name: str, group: str, colour: str, exclude: Tag | None = None) -> str:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Give the tag a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Keep tag names to %(max)d characters.") % {"max": NAME_MAX}
    else:
        clash = Tag.objects.filter(study=study, name__iexact=name)
        if exclude is not None:
            clash = clash.exclude(pk=exclude.pk)
        if clash.exists():
            errors["name"] = _(
                "This study already has a tag called “%(name)s”; merge into it instead."
            ) % {"name": name}
    if group and group not in TagGroup.values:
        errors["group"] = _("“%(group)s” is not a tag group.") % {"group": group}
    if not COLOUR.match(colour):
        errors["colour"] = _("Give the colour as #rrggbb, e.g. #2f7d4f.")
    if errors:
        raise ValidationError(errors)
    return name


def tag_create(
    *, study: Study, name: str, group: str = "", colour: str = "#5b6b7f", description: str = ""
) -> Tag:
    with transaction.atomic():
        name = _clean(study=study, name=name, group=group, colour=colour)
        return Tag.objects.create(
            study=study, name=name, group=group, colour=colour, description=description.strip()
        )


@transaction.atomic
def tag_update(
    *,
    tag: Tag,
    actor: User | None = None,
    name: str | None = None,
    group: str | None = None,
    colour: str | None = None,
    description: str | None = None,
) -> Tag:
    """Rename, regroup, recolour or describe a tag. A new group routes its insights again."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    new_group = tag.group if group is None else group
    tag.name = _clean(
        study=tag.study,
        name=tag.name if name is None else name,
        group=new_group,
        colour=tag.colour if colour is None else colour,
        exclude=tag,
    )
    regrouped = new_group != tag.group
    tag.group = new_group
    if colour is not None:
        tag.colour = colour
    if description is not None:
        tag.description = description.strip()
    tag.save(update_fields=["name", "group", "colour", "description", "updated_at"])
    if regrouped:
        insights_route(
            insight_ids=InsightTag.objects.filter(tag=tag).values_list("insight_id", flat=True),
            actor=actor,
        )
    return tag


@dataclass(frozen=True)
class MergeOutcome:
    into: Tag
    observations_moved: int
    insights_moved: int
    rules_moved: int
    photos_moved: int = 0


@transaction.atomic
def tag_merge(*, source: Tag, into: Tag, actor: User | None = None) -> MergeOutcome:
    """Fold `source` into `into`: every link to `source` ends up on `into`, none is lost.

    An item carrying both keeps one link. Rules for `source` now match `into`.
    """
    if source.pk == into.pk:
        raise ValidationError({"into": _("A tag cannot be merged into itself.")})
    if source.study_id != into.study_id:
        raise ValidationError({"into": _("Tags can only be merged within one study.")})
    # Both rows locked, in id order, so two merges of the same pair cannot interleave.
    locked = {
        tag.pk: tag
        for tag in Tag.objects.select_for_update()
        .filter(pk__in=[source.pk, into.pk])
        .order_by("pk")
    }
    if source.pk not in locked or into.pk not in locked:
        raise ValidationError({"into": _("One of these tags no longer exists.")})

    observations_moved = _move_links(ObservationTag, "observation_id", source, into)
    photos_moved = _move_links(PhotoTag, "photo_id", source, into)
    insights_moved = _move_links(InsightTag, "insight_id", source, into)
    rules_moved = RoutingRule.objects.filter(tag=source).update(tag=into)
    source.delete()
    # Every insight carrying `into` now: those that carried `source`, and those that had
    # `into` already, which the rules that followed `source` may send somewhere new.
    insights_route(
        insight_ids=InsightTag.objects.filter(tag=into).values_list("insight_id", flat=True),
        actor=actor,
    )
    return MergeOutcome(
        into=locked[into.pk],
        observations_moved=observations_moved,
        insights_moved=insights_moved,
        rules_moved=rules_moved,
        photos_moved=photos_moved,
    )


def _move_links(
    model: type[ObservationTag] | type[PhotoTag] | type[InsightTag],
    item: str,
    source: Tag,
    into: Tag,
) -> int:
    """Repoint links from source to into; items already linked to `into` drop the duplicate."""
    already = model.objects.filter(tag=into).values_list(item, flat=True)
    model.objects.filter(tag=source, **{f"{item}__in": already}).delete()
    return model.objects.filter(tag=source).update(tag=into)


@dataclass(frozen=True)
class DefaultTag:
    group: str
    colour: str
    description: str

    @property
    def name(self) -> str:
        return str(TagGroup(self.group).label)


# The tag every study starts with for each group, each group its own colour so a page of
# tags reads at a glance. The demo workspace uses these too.
DEFAULT_TAGS = (
    DefaultTag(
        TagGroup.PAIN_POINT,
        "#a4262c",
        gettext_lazy("Something that costs the household time, money, food or patience."),
    ),
    DefaultTag(
        TagGroup.WORKAROUND,
        "#8a5300",
        gettext_lazy("A home-made fix for something no product solves for them."),
    ),
    DefaultTag(
        TagGroup.DELIGHT,
        "#2f7d4f",
        gettext_lazy("A moment where something just works and people say so."),
    ),
    DefaultTag(
        TagGroup.FEATURE_IDEA,
        "#1f5f8b",
        gettext_lazy("Something a participant asked for, or that their workaround points to."),
    ),
    DefaultTag(
        TagGroup.QUOTE_WORTHY,
        "#6b3fa0",
        gettext_lazy("Words that say it better than a summary would."),
    ),
    DefaultTag(
        TagGroup.UNMET_NEED, "#00707a", gettext_lazy("A need nothing in the home meets yet.")
    ),
)


@transaction.atomic
def tags_ensure_defaults(*, study: Study) -> list[Tag]:
    """Add the default tag of each group the study has no tag of that name for.

    A tag of the same name already in the study is left as the lead shaped it (its group,
    colour and description), so running this twice adds nothing the second time.
    """
    # The study row is the lock: two leads pressing the button at once add each tag once.
    Study.objects.select_for_update().filter(pk=study.pk).exists()
    taken = {
        name.casefold() for name in Tag.objects.filter(study=study).values_list("name", flat=True)
    }
    return [
        tag_create(
            study=study,
            name=default.name,
            group=default.group,
            colour=default.colour,
            description=str(default.description),
        )
        for default in DEFAULT_TAGS
        if default.name.casefold() not in taken
    ]
