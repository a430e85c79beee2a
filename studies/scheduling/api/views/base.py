"""Helpers shared by the API views."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers

from studies.common.models import User
from studies.common.roles import Capability
from studies.scheduling import access, selectors
from studies.scheduling.models import Study


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def referenced[T](field: str, get: Callable[..., T], **kwargs: Any) -> T:
    """An object named in the body, through its access function; unseen ones are a 400."""
    try:
        return get(**kwargs)
    except Http404:
        raise ValidationError({field: [_("Not found, or not in a study of yours.")]}) from None


def team_member(study: Study, username: str, field: str) -> User:
    user = selectors.study_member(study=study, username=username)
    if user is None:
        raise ValidationError(
            {field: [_("%(username)s is not on this study's team.") % {"username": username}]}
        )
    return user


def study_to_manage(user: User, study_id: object) -> Study:
    """The study named in a request body, which the user must lead (else a 400 or 403)."""
    return referenced(
        "study",
        access.study_get_for_user,
        user=user,
        study_id=study_id,
        capability=Capability.MANAGE_STUDY,
    )
