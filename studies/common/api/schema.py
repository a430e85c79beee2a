"""OpenAPI helpers: the error answers every endpoint documents, JSON request bodies, named
enums, and times of day as they are sent."""

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


PAGE_NOT_FOUND = _(
    "No such page: a page number past the last page, or a malformed page number or cursor."
)
UNSUPPORTED_MEDIA_TYPE = _("The body's Content-Type is not one this operation accepts.")
TOO_LARGE = _("The body is larger than the server reads (RESEARCHHUB_MAX_REQUEST_BYTES).")
TOO_MANY_REQUESTS = _(
    "Too many requests in a short time; the Retry-After header says how many seconds to wait."
)
# A time of day as DRF reads and writes it, "09:00" or "09:00:00": wall-clock time in the
# study's zone, so never with the UTC offset that JSON Schema's "time" format demands.
TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


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


def document_framework_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: the errors DRF itself answers, whatever the view. A paginated
    list (a page or cursor parameter) answers 404 for a page that is not there; an operation
    that takes a body answers 413 for one too large and 415 for a Content-Type it cannot
    parse; every operation answers 429 past the rate limit."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation["responses"]
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if query & {"page", "cursor"}:
                responses.setdefault("404", _error_response(PAGE_NOT_FOUND))
            if "requestBody" in operation:
                responses.setdefault("413", _error_response(TOO_LARGE))
                responses.setdefault("415", _error_response(UNSUPPORTED_MEDIA_TYPE))
            responses.setdefault("429", _error_response(TOO_MANY_REQUESTS))
            operation["responses"] = dict(sorted(responses.items()))
    return result


def document_json_bodies(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: a body the API reads as JSON is documented as JSON only.

    Every view parses JSON, forms and multipart (DEFAULT_PARSER_CLASSES), so the generator
    offers all three with the same schema. A form cannot carry what JSON does (null, nested
    objects), and a generated client picks one of the three, often the last: multipart.
    Forms still parse as before; the schema promises JSON. A body with no JSON alternative
    (a file upload, a chunk of one) keeps what it has."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operation["requestBody"]["content"] = {
                    "application/json": content["application/json"]
                }
    return result


def _error_response(description: Any) -> dict[str, Any]:
    return {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}},
        "description": str(description),
    }


class TimeOfDayFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return {"type": "string", "pattern": TIME_OF_DAY_PATTERN, "example": "09:00:00"}
