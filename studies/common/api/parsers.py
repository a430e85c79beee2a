"""Request body parsers for the API."""

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# No request of ours nests deeper than a handful of levels (a sync batch: the body, its
# operations, one operation, its tags); this leaves room without letting a body of brackets
# through.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class RequestTooDeep(exceptions.ParseError):
    default_code = "too_deep"

    def __init__(self) -> None:
        super().__init__(
            gettext("The JSON body nests more than %(depth)d levels deep.")
            % {"depth": MAX_JSON_DEPTH}
        )


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests deeper than `limit` levels of arrays and objects.

    Iterative, so a deep value cannot exhaust the stack while it is measured.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class LimitedJSONParser(JSONParser):
    """JSON, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes of it and MAX_JSON_DEPTH levels deep.

    DRF parses JSON from the raw request stream, so Django's limit (which guards
    `request.body` and form parsing) never applies: without this, a body of any size
    would be read into memory. The decoder recurses once per level and gives up with a
    RecursionError some way past a thousand; that, and anything deeper than the bound,
    is a 400 in the one error shape.
    """

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge()
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise RequestTooDeep() from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise RequestTooDeep()
        return data
