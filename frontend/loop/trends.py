"""A study's Trends page: each tag and insight round by round, what changed in each round,
and the observations and photos behind a tag's share (studies/loop/selectors/trends.py)."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frontend.charts import LineChart, Series, as_percent, line_chart
from studies.fieldwork.models import Tag
from studies.loop.selectors.trends import (
    CHANGE_THRESHOLD,
    REPORTED_CHANGES,
    SEGMENT_MAX_LENGTH,
    TAG,
    Cell,
    Change,
    RoundColumn,
    TrendRow,
    Trends,
    not_comparable_message,
    round_changes,
    segment_choices,
    study_trends,
    tag_evidence,
)
from studies.scheduling.access import as_uuid, study_get_for_user
from studies.scheduling.models import Round, Study

# How many tags the overview chart draws: more lines than this cannot be told apart.
TOP_TAGS_CHARTED = 5


@dataclass(frozen=True)
class ShareCell:
    column: RoundColumn
    cell: Cell
    url: str  # the observations behind it; "" when no household showed it

    @property
    def text(self) -> str:
        """“42% · 5 of 12”."""
        return _("%(share)s · %(households)d of %(visited)d") % {
            "share": as_percent(self.cell.share),
            "households": self.cell.households,
            "visited": self.column.visited,
        }


@dataclass(frozen=True)
class TableRow:
    row: TrendRow
    url: str  # an insight's page; "" for a tag
    chart: LineChart | None
    chart_id: str
    shares: list[ShareCell]
    latest: Cell


@dataclass(frozen=True)
class ChangeItem:
    row: TrendRow
    cell: Cell  # in the round that changed
    previous: Cell  # in the round before
    url: str  # its evidence: a tag's observations, an insight's page


@dataclass(frozen=True)
class ChangeList:
    change: Change
    items: list[ChangeItem]


@dataclass(frozen=True)
class RoundChangeSet:
    column: RoundColumn
    previous: RoundColumn
    lists: list[ChangeList]

    @property
    def empty(self) -> bool:
        return not any(one.items for one in self.lists)


def evidence_url(study: Study, tag_id: uuid.UUID, round_id: uuid.UUID, segment: str) -> str:
    query = {"tag": tag_id, "round": round_id} | ({"segment": segment} if segment else {})
    return f"{reverse('frontend:trends-evidence', args=[study.pk])}?{urlencode(query)}"


def _item_url(study: Study, row: TrendRow, round_id: uuid.UUID, segment: str) -> str:
    if row.kind == TAG:
        return evidence_url(study, row.subject.pk, round_id, segment)
    return reverse("frontend:insight", args=[row.subject.pk])


def _labels(trends: Trends) -> list[str]:
    return [column.round.label for column in trends.rounds]


def _table(study: Study, trends: Trends, rows: list[TrendRow], segment: str) -> list[TableRow]:
    table = []
    for row in rows:
        chart = None
        if trends.comparable:
            chart = line_chart(
                title=_("Share of households showing “%(label)s”, round by round")
                % {"label": row.label},
                x_labels=_labels(trends),
                series=[Series(row.label, [cell.share for cell in row.cells])],
                spark=True,
                width=120,
                height=36,
            )
        shares = [
            ShareCell(
                column=column,
                cell=cell,
                url=(
                    _item_url(study, row, column.round.pk, segment)
                    if cell.households and row.kind == TAG
                    else ""
                ),
            )
            for column, cell in zip(trends.rounds, row.cells, strict=True)
        ]
        table.append(
            TableRow(
                row=row,
                url="" if row.kind == TAG else reverse("frontend:insight", args=[row.subject.pk]),
                chart=chart,
                chart_id=f"{row.kind}-{row.subject.pk.hex}",
                shares=shares,
                latest=row.cells[-1],
            )
        )
    return table


def change_sets(study: Study, trends: Trends, segment: str) -> list[RoundChangeSet]:
    """What changed in each round after the first, latest first."""
    sets = []
    for index in range(len(trends.rounds) - 1, 0, -1):
        column, previous = trends.rounds[index], trends.rounds[index - 1]
        found = round_changes(trends, column.round.pk)
        lists = []
        for change in REPORTED_CHANGES:
            items = []
            for row in found[change]:
                # A gone tag's evidence is where it was last seen: the round before.
                where = previous if change == Change.GONE else column
                items.append(
                    ChangeItem(
                        row=row,
                        cell=row.cells[index],
                        previous=row.cells[index - 1],
                        url=_item_url(study, row, where.round.pk, segment),
                    )
                )
            lists.append(ChangeList(change=change, items=items))
        sets.append(RoundChangeSet(column=column, previous=previous, lists=lists))
    return sets


def _top_tags_chart(trends: Trends) -> LineChart | None:
    if not trends.comparable or not trends.tags:
        return None
    return line_chart(
        title=_("Share of households showing the most seen tags, round by round"),
        x_labels=_labels(trends),
        series=[
            Series(row.label, [cell.share for cell in row.cells])
            for row in trends.tags[:TOP_TAGS_CHARTED]
        ],
    )


def _segment_of(request: HttpRequest) -> tuple[str, str]:
    """The chosen segment, and an error to show when the text cannot be one."""
    segment = request.GET.get("segment", "").replace("\x00", "").strip()
    if len(segment) > SEGMENT_MAX_LENGTH:
        error = _("A segment is at most %(max)d characters; showing every household.") % {
            "max": SEGMENT_MAX_LENGTH
        }
        return "", error
    return segment, ""


@require_GET
@login_required
def trends(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(user=request.user, study_id=study_id)
    segment, segment_error = _segment_of(request)
    found = study_trends(study=study, segment=segment)
    choices = segment_choices(study=study)
    if segment and segment not in choices:
        # Kept in the menu so the form says what the page shows.
        choices = [segment, *choices]
    changes = change_sets(study, found, segment) if found.comparable else []
    context = {
        "study": study,
        "trends": found,
        "segment": segment,
        "segment_error": segment_error,
        "segment_choices": choices,
        "message": "" if found.comparable else not_comparable_message(found, segment),
        "latest_changes": changes[0] if changes else None,
        "older_changes": changes[1:],
        "top_chart": _top_tags_chart(found),
        "tag_rows": _table(study, found, found.tags, segment),
        "insight_rows": _table(study, found, found.insights, segment),
        "threshold_points": round(CHANGE_THRESHOLD * 100),
        "latest_label": found.rounds[-1].round.label if found.rounds else "",
    }
    return render(request, "frontend/trends.html", context, status=400 if segment_error else 200)


def _one_of(model: type[Tag] | type[Round], study: Study, value: str | None):
    """The study's tag or round named in the query; anything else is not found."""
    if not value:
        raise Http404
    found = model.objects.filter(pk=as_uuid(value), study=study).first()
    if found is None:
        raise Http404
    return found


@require_GET
@login_required
def trends_evidence(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(user=request.user, study_id=study_id)
    tag = _one_of(Tag, study, request.GET.get("tag"))
    round_ = _one_of(Round, study, request.GET.get("round"))
    segment, segment_error = _segment_of(request)
    found = tag_evidence(user=request.user, study=study, tag=tag, round_=round_, segment=segment)
    back = reverse("frontend:trends", args=[study.pk])
    context = {
        "study": study,
        "tag": tag,
        "round": round_,
        "segment": segment,
        "segment_error": segment_error,
        "evidence": found,
        "back_url": f"{back}?{urlencode({'segment': segment})}" if segment else back,
    }
    return render(
        request, "frontend/trends_evidence.html", context, status=400 if segment_error else 200
    )
