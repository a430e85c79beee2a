"""Changing a photo after it was taken: its caption, its tags, the note it goes with, or
deleting it. Phones send these from their outbox, perhaps hours after the change was made,
so each carries the device time it was made at (`edited_at`): the latest change wins, as
with observations, and the visit judges it by that time (policies.capture_refusal).
"""

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.roles import Capability, role_can
from studies.fieldwork import policies
from studies.fieldwork.models import MAX_CAPTION_LENGTH, Observation, Photo, PhotoTag
from studies.fieldwork.services.tags import tag_names_error, tags_by_name
from studies.scheduling import access

logger = logging.getLogger(__name__)

_UNCHANGED = object()


@dataclass(frozen=True)
class PhotoChange:
    """What to change; None leaves a part as it is. `observation` is the device id of the
    note, quote or answer the photo goes with; `detach` takes it off the one it has."""

    edited_at: dt.datetime
    caption: str | None = None
    tag_names: Sequence[str] | None = None
    observation: uuid.UUID | None = None
    detach: bool = False


def photo_get_for_change(*, user: User, photo_id: object) -> Photo:
    """A photo its author, or a research lead of the study, may change: deleted ones
    included, so a change to one can be refused for what it is. Others' photos are a 403
    for researchers of the study, a 404 for everyone else."""
    pk = access.as_uuid(photo_id)
    # A household that withdrew photo consent hides its photos from everyone, as if gone.
    photo = Photo.objects.consented().filter(pk=pk).first()
    if photo is None:
        raise Http404
    visit = access.visit_get_for_user(
        user=user, visit_id=photo.visit_id, capability=Capability.CONDUCT_VISITS
    )
    if photo.author_id != user.pk and not role_can(
        visit.round.study.viewer_role, Capability.MANAGE_STUDY
    ):
        raise PermissionDenied(_("Only its author or a research lead may change this photo."))
    photo.visit = visit
    return photo


def _edit_time(edited_at: dt.datetime) -> dt.datetime:
    """The time a change is recorded at (policies.edit_time_kept): a device clock running
    ahead is recorded at the server's time, so it cannot pin the photo against later edits."""
    kept = policies.edit_time_kept(edited_at, now=timezone.now())
    if kept != edited_at:
        logger.warning("A photo edit stamped %s was recorded at %s", edited_at, kept)
    return kept


def _refusals(photo: Photo, edited_at: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if refusal := policies.edit_time_refusal(edited_at, now=timezone.now()):
        errors["edited_at"] = [refusal]
    if edited_at < photo.captured_at:
        errors["edited_at"] = [_("An edit cannot be older than the photo.")]
    if refusal := policies.capture_refusal(photo.visit, edited_at):
        errors["visit"] = [refusal]
    return errors


def _observation_of(photo: Photo, device_id: uuid.UUID) -> Observation:
    observation = Observation.objects.filter(device_id=device_id, deleted_at__isnull=True).first()
    if observation is None:
        raise ValidationError(
            {"observation": [_("That item has not reached the server, or was deleted.")]}
        )
    if observation.visit_id != photo.visit_id:
        raise ValidationError({"observation": [_("That item is from another visit.")]})
    return observation


@transaction.atomic
def photo_update(*, photo: Photo, actor: User, change: PhotoChange) -> Photo:
    """Apply a change made on a device, unless a later one is already applied (then the
    photo is returned as it stands: the later change wins, and sending it again is
    harmless). A deleted photo takes no change."""
    locked = Photo.objects.select_for_update().get(pk=photo.pk)
    locked.visit = photo.visit
    if locked.deleted_at is not None:
        raise ConflictError({"photo": [_("This photo was deleted; it cannot be changed.")]})
    errors = _refusals(locked, change.edited_at)
    edited_at = _edit_time(change.edited_at)
    if change.caption is not None and len(change.caption.strip()) > MAX_CAPTION_LENGTH:
        errors["caption"] = [
            _("A caption has at most %(max)d characters.") % {"max": MAX_CAPTION_LENGTH}
        ]
    if change.tag_names is not None and (tags_error := tag_names_error(change.tag_names)):
        errors["tags"] = [tags_error]
    if errors:
        raise ValidationError(errors)
    if locked.edited_at is not None and edited_at < locked.edited_at:
        return locked
    fields = ["edited_at", "updated_at"]
    locked.edited_at = edited_at
    if change.caption is not None:
        locked.caption = change.caption.strip()
        fields.append("caption")
    if change.detach:
        locked.observation = None
        fields.append("observation")
    elif change.observation is not None:
        locked.observation = _observation_of(locked, change.observation)
        fields.append("observation")
    locked.save(update_fields=fields)
    if change.tag_names is not None:
        wanted = {
            tag.pk
            for tag in tags_by_name(study_id=locked.visit.round.study_id, names=change.tag_names)
        }
        current = set(PhotoTag.objects.filter(photo=locked).values_list("tag_id", flat=True))
        PhotoTag.objects.filter(photo=locked, tag_id__in=current - wanted).delete()
        PhotoTag.objects.bulk_create(PhotoTag(photo=locked, tag_id=pk) for pk in wanted - current)
    return locked


@transaction.atomic
def photo_delete(*, photo: Photo, actor: User, edited_at: dt.datetime | None = None) -> Photo:
    """Delete a photo: it leaves every page and list at once. Deleting it again changes
    nothing. Its files stay until the household's data is erased or the study's retention
    runs out; nobody is shown them."""
    locked = Photo.objects.select_for_update().get(pk=photo.pk)
    locked.visit = photo.visit
    if locked.deleted_at is not None:
        return locked
    edited_at = edited_at or timezone.now()
    if errors := _refusals(locked, edited_at):
        raise ValidationError(errors)
    edited_at = _edit_time(edited_at)
    locked.deleted_at = timezone.now()
    locked.edited_at = max(edited_at, locked.edited_at or edited_at)
    locked.save(update_fields=["deleted_at", "edited_at", "updated_at"])
    return locked
