"""OpenAPI helpers: the error answers every endpoint documents, and named enums."""

from typing import Any

from django.db.models import Choices
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from studies.common.api.errors import ErrorOutputSerializer

ERROR_DESCRIPTIONS = {
    400: _("Invalid input; the messages name the fields at fault. Nothing was changed."),
    401: _("Not signed in: send a session cookie or an `Authorization: Token …` header."),
    403: _("Your role in this study does not allow it. Nothing was changed."),
    404: _("No such object, or it belongs to a study you are not a member of."),
    409: _(
        "The request clashes with the current state (a double booking, a round already "
        "planned, a status that cannot follow). Nothing was changed."
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Document the listed error statuses; 401 applies to every endpoint, so always present."""
    return {
        code: OpenApiResponse(ErrorOutputSerializer, description=str(ERROR_DESCRIPTIONS[code]))
        for code in sorted({401, *codes})
    }


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one enum component named after its choices class.

    drf-spectacular otherwise names enums after the field, so a study's `status` and a
    visit's `status` would collide and get hashed names such as Status421Enum.
    """

    def __init__(
        self, choices_class: type[Choices], *, enum_name: str | None = None, **kwargs: Any
    ) -> None:
        self.enum_name = f"{enum_name or choices_class.__name__}Enum"
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.target.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
