"""The insight page (the card's page): evidence, boards and decisions, history, comments
and quote uses; and its writes: edit, comment, remove evidence."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.boards.common import column_label
from frontend.boards.forms import CommentForm, InsightEditForm
from frontend.loop.pressure_section import PressureReviewForm, pressure_section
from frontend.refusals import messages_of, status_for
from studies.common.models import User
from studies.common.roles import Capability, role_can
from studies.synthesis import access, policies, selectors
from studies.synthesis.models import (
    COLUMNS,
    Board,
    BoardCard,
    BoardKind,
    CardEvent,
    Evidence,
    Insight,
)
from studies.synthesis.policies import Decision
from studies.synthesis.services import insights as insight_services


@dataclass
class EvidenceRow:
    evidence: Evidence
    attribution: str  # pseudonym code and segment phrase, never a name
    cleared: bool  # its household's marketing consent is in force now


@dataclass
class Placement:
    card: BoardCard
    column_label: str
    decision: Decision | None
    can_move: bool
    days_to_decision: int | None

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def decision_label(self) -> str:
        return column_label(self.decision.column) if self.decision else ""


@dataclass
class HistoryRow:
    at: dt.datetime
    text: str
    actor: User | None
    note: str


def _history_text(event: CardEvent, board: Board) -> str:
    names = {
        "board": board.name,
        "from": column_label(event.from_column),
        "to": column_label(event.to_column),
    }
    if event.kind == CardEvent.Kind.PLACED:
        return _("Placed on %(board)s in %(to)s") % names
    if event.kind == CardEvent.Kind.MOVED:
        return _("%(board)s: moved from %(from)s to %(to)s") % names
    if event.kind == CardEvent.Kind.REMOVED:
        return _("Taken off %(board)s") % names
    return _("Put back on %(board)s in %(to)s") % names


def _evidence_rows(insight: Insight) -> list[EvidenceRow]:
    rows = []
    for item in selectors.insight_evidence(insight=insight):
        source = item.observation or item.photo
        rows.append(
            EvidenceRow(
                evidence=item,
                attribution=selectors.attribution(source.visit.household),
                cleared=item.marketing_cleared,
            )
        )
    return rows


def insight_page(
    request: HttpRequest,
    insight: Insight,
    *,
    status: int = 200,
    edit_form: InsightEditForm | None = None,
    comment_form: CommentForm | None = None,
    evidence_errors: list[str] | None = None,
    pressure_form: PressureReviewForm | None = None,
    pressure_errors: list[str] | None = None,
) -> HttpResponse:
    role = insight.study.viewer_role
    can_synthesise = role_can(role, Capability.SYNTHESISE)
    placements, history = [], []
    cards = list(selectors.insight_cards(insight=insight))
    decisions = selectors.card_decisions(
        BoardCard.objects.filter(pk__in=[card.pk for card in cards if card.removed_at is None])
    )
    for card in cards:
        decision = decisions.get(card.pk)
        placements.append(
            Placement(
                card=card,
                column_label=column_label(card.column),
                decision=decision,
                can_move=card.removed_at is None
                and role_can(role, access.MOVE_CAPABILITY[card.board.kind]),
                days_to_decision=policies.days_to_decision(
                    first_seen=insight.first_observed_at, decision=decision
                ),
            )
        )
        history += [
            HistoryRow(event.created_at, _history_text(event, card.board), event.actor, event.note)
            for event in card.events.all()
        ]
    history.sort(key=lambda row: row.at, reverse=True)
    evidence = _evidence_rows(insight)
    uses = [
        (row, use)
        for row in evidence
        if row.evidence.observation
        for use in row.evidence.observation.uses.all()
    ]
    uses.sort(key=lambda pair: (pair[1].used_on, pair[1].created_at), reverse=True)
    context = {
        "insight": insight,
        "study": insight.study,
        "tags": list(insight.tags.order_by(Lower("name"), "pk")),
        "rounds": selectors.rounds_backing(insight_ids=[insight.pk]).get(insight.pk, []),
        "evidence": evidence,
        "evidence_errors": evidence_errors or [],
        "placements": placements,
        "column_choices": {
            kind: [(v, column_label(v)) for v in COLUMNS[kind]] for kind in BoardKind
        },
        "history": history,
        "uses": uses,
        "comments": list(selectors.insight_comments(insight=insight)),
        "comment_form": comment_form or CommentForm(),
        "can_comment": role_can(role, Capability.COMMENT),
        "can_synthesise": can_synthesise,
        "can_use_quotes": role_can(role, Capability.USE_QUOTES),
        "edit_form": edit_form or (InsightEditForm(insight=insight) if can_synthesise else None),
        "pressure": pressure_section(request, insight, form=pressure_form, errors=pressure_errors),
    }
    return render(request, "frontend/insight.html", context, status=status)


@require_GET
@login_required
def insight_detail(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight = access.insight_get_for_user(user=request.user, insight_id=insight_id)
    return insight_page(request, insight)


@require_POST
@login_required
def insight_edit(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight = access.insight_get_for_user(
        user=request.user, insight_id=insight_id, capability=Capability.SYNTHESISE
    )
    form = InsightEditForm(request.POST, insight=insight)
    if not form.is_valid():
        return insight_page(request, insight, status=400, edit_form=form)
    data = form.cleaned_data
    try:
        insight_services.insight_update(
            insight=insight,
            actor=request.user,
            statement=data["statement"],
            description=data["description"],
            tag_ids=data["tags"],
            research_question_id=data["research_question"],
        )
    except ValidationError as error:
        form.add_service_error(error)
        insight = access.insight_get_for_user(user=request.user, insight_id=insight.pk)
        return insight_page(request, insight, status=status_for(error), edit_form=form)
    messages.success(request, _("The insight is saved."))
    return redirect("frontend:insight", insight_id=insight.pk)


@require_POST
@login_required
def insight_comment(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight = access.insight_get_for_user(
        user=request.user, insight_id=insight_id, capability=Capability.COMMENT
    )
    form = CommentForm(request.POST)
    if not form.is_valid():
        return insight_page(request, insight, status=400, comment_form=form)
    try:
        insight_services.comment_create(
            insight=insight, author=request.user, text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        form.add_service_error(error)
        return insight_page(request, insight, status=status_for(error), comment_form=form)
    messages.success(request, _("Your comment is posted."))
    return redirect(reverse("frontend:insight", args=[insight.pk]) + "#comments")


@require_POST
@login_required
def insight_evidence_remove(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight = access.insight_get_for_user(
        user=request.user, insight_id=insight_id, capability=Capability.SYNTHESISE
    )
    try:
        try:
            evidence_id = uuid.UUID(request.POST.get("evidence", ""))
        except ValueError:
            raise ValidationError({"evidence": _("Choose the evidence to remove.")}) from None
        insight_services.insight_evidence_remove(
            insight=insight, actor=request.user, evidence_ids=[evidence_id]
        )
    except ValidationError as error:
        return insight_page(
            request, insight, status=status_for(error), evidence_errors=messages_of(error)
        )
    messages.success(request, _("The evidence is removed from this insight."))
    return redirect(reverse("frontend:insight", args=[insight.pk]) + "#evidence")
