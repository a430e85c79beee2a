"""The quote bank as CSV and Markdown files, streamed.

A bank can hold tens of thousands of quotes. Rows are read as plain values with
`iterator(chunk_size=…)`, each chunk's tags, insights and uses are fetched with one query
per relation, and lines are written out as they are made, so memory stays flat however
large the export. Quotes are attributed by pseudonym and segment phrase
(selectors.attribution), never by name.
"""

import datetime as dt
import itertools
import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import batched
from types import SimpleNamespace

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common import spreadsheets
from studies.common.models import User
from studies.fieldwork.models import Observation, ObservationTag
from studies.scheduling.selectors import zone_or_utc
from studies.synthesis.models import Evidence, QuoteUse
from studies.synthesis.selectors import attribution

CHUNK_SIZE = 1000

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass(frozen=True)
class QuoteRow:
    """One quote as the files show it: words, attribution, where it came from, its use."""

    text: str
    speaker: str
    attribution: str
    household_code: str
    segment_phrase: str
    study: str
    round_label: str
    captured_at: dt.datetime
    tags: list[str]
    insights: list[str]
    uses: list[str]


def _grouped(rows: Iterable[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, list[str]]:
    grouped: dict[uuid.UUID, list[str]] = defaultdict(list)
    for pk, value in rows:
        grouped[pk].append(value)
    return grouped


def _use(campaign: str, used_on: dt.date, link: str) -> str:
    details = ", ".join(part for part in (used_on.isoformat(), link) if part)
    return f"{campaign} ({details})"


def quote_rows(quotes: QuerySet[Observation]) -> Iterator[QuoteRow]:
    """The quotes in order, read as plain values a chunk at a time: per chunk, one query
    each for the tags, the insights and the uses of its quotes."""
    values = quotes.values_list(
        "pk",
        "text",
        "speaker",
        "captured_at",
        "visit__household__code",
        "visit__household__segment",
        "visit__household__segment_phrase",
        "visit__round__label",
        "visit__round__study__title",
    ).iterator(chunk_size=CHUNK_SIZE)
    # Households are few and quote often: each one's attribution is worked out once.
    attributions: dict[str, str] = {}
    for chunk in batched(values, CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        tags = _grouped(
            ObservationTag.objects.filter(observation_id__in=ids)
            .order_by(Lower("tag__name"), "tag_id")
            .values_list("observation_id", "tag__name")
        )
        insights = _grouped(
            Evidence.objects.filter(observation_id__in=ids)
            .order_by(Lower("insight__statement"), "insight_id")
            .values_list("observation_id", "insight__statement")
        )
        uses = _grouped(
            (pk, _use(campaign, used_on, link))
            for pk, campaign, used_on, link in QuoteUse.objects.filter(observation_id__in=ids)
            .order_by("-used_on", "-created_at")
            .values_list("observation_id", "campaign", "used_on", "link")
        )
        for pk, text, speaker, captured_at, code, segment, phrase, label, study in chunk:
            if code not in attributions:
                household = SimpleNamespace(code=code, segment=segment, segment_phrase=phrase)
                attributions[code] = attribution(household)
            yield QuoteRow(
                text=text,
                speaker=speaker,
                attribution=attributions[code],
                household_code=code,
                segment_phrase=phrase,
                study=study,
                round_label=label,
                captured_at=captured_at,
                tags=tags[pk],
                insights=insights[pk],
                uses=uses[pk],
            )


def csv_lines(quotes: QuerySet[Observation], *, zone: zoneinfo.ZoneInfo) -> Iterator[str]:
    header = [
        _("quote"),
        _("speaker"),
        _("attribution"),
        _("household"),
        _("segment"),
        _("study"),
        _("round"),
        _("captured at"),
        _("tags"),
        _("insights"),
        _("used in"),
    ]
    rows = (
        [
            quote.text,
            quote.speaker,
            quote.attribution,
            quote.household_code,
            quote.segment_phrase,
            quote.study,
            quote.round_label,
            quote.captured_at.astimezone(zone).isoformat(timespec="seconds"),
            "; ".join(quote.tags),
            "; ".join(quote.insights),
            "; ".join(quote.uses),
        ]
        for quote in quote_rows(quotes)
    )
    return spreadsheets.csv_lines(itertools.chain([header], rows))


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _blockquote(text: str) -> str:
    lines = [_MARKDOWN_SPECIAL.sub(r"\\\1", line.strip()) for line in text.strip().splitlines()]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def markdown_lines(quotes: QuerySet[Observation], *, zone: zoneinfo.ZoneInfo) -> Iterator[str]:
    yield "# {}\n".format(_("Quote bank"))
    for quote in quote_rows(quotes):
        said_by = " · ".join(_md(part) for part in (quote.speaker, quote.attribution) if part)
        lines = [
            "",
            _blockquote(quote.text),
            "",
            f"— {said_by}  ",
            " · ".join(
                [
                    _md(quote.study),
                    _md(quote.round_label),
                    quote.captured_at.astimezone(zone).date().isoformat(),
                ]
            ),
        ]
        details = (
            (_("Tags"), quote.tags),
            (_("Insights"), quote.insights),
            (_("Used in"), quote.uses),
        )
        for label, values in details:
            if values:
                lines[-1] += "  "
                lines.append(f"{label}: {'; '.join(_md(value) for value in values)}")
        yield "\n".join(lines) + "\n"


def _streamed(lines: Iterator[str], *, content_type: str, extension: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=f"{content_type}; charset=utf-8")
    filename = f"quote-bank-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def quote_bank_csv(*, quotes: QuerySet[Observation], user: User) -> StreamingHttpResponse:
    """The quotes as CSV, one row each; times in the user's own zone."""
    return _streamed(
        csv_lines(quotes, zone=zone_or_utc(user.time_zone)),
        content_type="text/csv",
        extension="csv",
    )


def quote_bank_markdown(*, quotes: QuerySet[Observation], user: User) -> StreamingHttpResponse:
    """The quotes as Markdown, one block quote each; dates in the user's own zone."""
    return _streamed(
        markdown_lines(quotes, zone=zone_or_utc(user.time_zone)),
        content_type="text/markdown",
        extension="md",
    )
