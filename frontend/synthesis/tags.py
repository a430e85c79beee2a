"""A study's tags: counted by round and grouped, added (one by one or the defaults), edited
and merged into another, with a confirm step showing what the merge would move."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from frontend.refusals import status_for
from frontend.synthesis.forms import TagForm, TagMergeForm
from studies.common.roles import Capability, role_can
from studies.fieldwork.models import Tag, TagGroup
from studies.scheduling.access import study_get_for_user
from studies.scheduling.models import Round, Study
from studies.synthesis import selectors
from studies.synthesis.access import tag_get_for_user
from studies.synthesis.services import tags as tag_services


@dataclass
class MergePreview:
    source: Tag
    into: Tag
    observations: int
    insights: int


@dataclass
class TagRow:
    count: selectors.TagCount
    form: TagForm
    rounds: list[tuple[Round, int]]
    merge_errors: list[str]
    preview: MergePreview | None
    open: bool


@dataclass
class TagSection:
    group: str
    label: str
    rows: list[TagRow]


def _tag_form(tag: Tag, data: Any = None) -> TagForm:
    """A tag's edit form; its ids carry the tag's, so a page of them has unique ids."""
    initial = {
        "name": tag.name,
        "group": tag.group,
        "colour": tag.colour,
        "description": tag.description,
    }
    return TagForm(data, initial=initial, auto_id=f"tag-{tag.pk.hex}-%s")


def _tags_page(
    request: HttpRequest,
    study: Study,
    *,
    status: int = 200,
    create_form: TagForm | None = None,
    edited: tuple[uuid.UUID, TagForm] | None = None,
    merge_errors: tuple[uuid.UUID, list[str]] | None = None,
    preview: MergePreview | None = None,
) -> HttpResponse:
    rounds, counts = selectors.tag_counts(study=study)
    can_manage = role_can(study.viewer_role, Capability.MANAGE_STUDY)
    sections = {
        group: TagSection(group=group, label=label, rows=[])
        for group, label in [*TagGroup.choices, ("", _("No group"))]
    }
    for count in counts:
        tag = count.tag
        form = edited[1] if edited and edited[0] == tag.pk else _tag_form(tag)
        errors = merge_errors[1] if merge_errors and merge_errors[0] == tag.pk else []
        confirming = preview if preview and preview.source.pk == tag.pk else None
        # A group no longer offered (set outside these pages) is shown as no group.
        sections.get(tag.group, sections[""]).rows.append(
            TagRow(
                count=count,
                form=form,
                rounds=[(round_, count.by_round.get(round_.pk, 0)) for round_ in rounds],
                merge_errors=errors,
                preview=confirming,
                open=form.is_bound or bool(errors) or confirming is not None,
            )
        )
    context = {
        "study": study,
        "sections": [section for section in sections.values() if section.rows],
        "tags": [count.tag for count in counts],
        "tag_total": len(counts),
        "can_manage": can_manage,
        "create_form": create_form or TagForm(auto_id="new-tag-%s"),
        "default_groups": TagGroup.labels,
    }
    return render(request, "frontend/tags.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def tag_list(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _tags_page(request, study_get_for_user(user=request.user, study_id=study_id))
    study = study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    if "defaults" in request.POST:
        created = tag_services.tags_ensure_defaults(study=study)
        if created:
            messages.success(
                request,
                ngettext(
                    "Added the default tag %(names)s.",
                    "Added the default tags %(names)s.",
                    len(created),
                )
                % {"names": ", ".join(f"“{tag.name}”" for tag in created)},
            )
        else:
            messages.info(request, _("Every default tag is already there; nothing changed."))
        return redirect("frontend:tags", study_id=study.pk)

    form = TagForm(request.POST, auto_id="new-tag-%s")
    if not form.is_valid():
        return _tags_page(request, study, status=400, create_form=form)
    try:
        tag = tag_services.tag_create(study=study, **form.cleaned_data)
    except ValidationError as error:
        form.add_service_error(error)
        return _tags_page(request, study, status=status_for(error), create_form=form)
    messages.success(request, _("Tag “%(name)s” added.") % {"name": tag.name})
    return redirect("frontend:tags", study_id=study.pk)


@require_POST
@login_required
def tag_edit(request: HttpRequest, tag_id: uuid.UUID) -> HttpResponse:
    tag = tag_get_for_user(user=request.user, tag_id=tag_id, capability=Capability.MANAGE_STUDY)
    study = tag.study
    form = _tag_form(tag, request.POST)
    if not form.is_valid():
        return _tags_page(request, study, status=400, edited=(tag.pk, form))
    try:
        tag = tag_services.tag_update(tag=tag, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_service_error(error)
        return _tags_page(request, study, status=status_for(error), edited=(tag.pk, form))
    messages.success(request, _("Tag “%(name)s” saved.") % {"name": tag.name})
    return redirect(f"{reverse('frontend:tags', args=[study.pk])}#tag-{tag.pk}")


@require_POST
@login_required
def tag_merge(request: HttpRequest, tag_id: uuid.UUID) -> HttpResponse:
    source = tag_get_for_user(user=request.user, tag_id=tag_id, capability=Capability.MANAGE_STUDY)
    study = source.study
    form = TagMergeForm(request.POST)
    into = None
    if form.is_valid():
        into = study.tags.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", _("Choose a tag of this study to merge into."))
    if into is None:
        errors = [str(message) for message in form.errors.get("into", [])]
        return _tags_page(request, study, status=400, merge_errors=(source.pk, errors))

    try:
        if not form.cleaned_data["confirm"]:
            return _tags_page(request, study, preview=_merge_preview(source, into, request))
        outcome = tag_services.tag_merge(source=source, into=into, actor=request.user)
    except ValidationError as error:
        return _tags_page(
            request,
            study,
            status=status_for(error),
            merge_errors=(source.pk, [str(message) for message in error.messages]),
        )
    messages.success(
        request,
        _(
            "“%(source)s” is merged into “%(into)s”: %(observations)s and %(insights)s "
            "moved, none lost."
        )
        % {
            "source": source.name,
            "into": into.name,
            "observations": _observation_count(outcome.observations_moved),
            "insights": _insight_count(outcome.insights_moved),
        },
    )
    # To the top, where the message says what moved: the merged tag's card is gone.
    return redirect(f"{reverse('frontend:tags', args=[study.pk])}#main")


def _merge_preview(source: Tag, into: Tag, request: HttpRequest) -> MergePreview:
    """What the merge would move, counted by the merge itself in a transaction that is
    rolled back: the confirm step refuses what the merge refuses and shows its numbers."""
    with transaction.atomic():
        # Copies: a merge deletes its source row and clears the instance's primary key.
        outcome = tag_services.tag_merge(
            source=Tag.objects.get(pk=source.pk),
            into=Tag.objects.get(pk=into.pk),
            actor=request.user,
        )
        transaction.set_rollback(True)
    return MergePreview(
        source=source,
        into=into,
        observations=outcome.observations_moved,
        insights=outcome.insights_moved,
    )


def _observation_count(count: int) -> str:
    return ngettext("%(count)d observation", "%(count)d observations", count) % {"count": count}


def _insight_count(count: int) -> str:
    return ngettext("%(count)d insight", "%(count)d insights", count) % {"count": count}
