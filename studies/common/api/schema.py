"""OpenAPI helpers: the error answers every endpoint documents the same way."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse

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
