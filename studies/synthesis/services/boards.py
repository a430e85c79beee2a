"""Moving cards between a board's columns, and routing rules, whose changes re-route."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.fieldwork.models import Tag
from studies.scheduling.models import Study
from studies.synthesis.models import Board, BoardCard, CardEvent, InsightTag, RoutingRule
from studies.synthesis.services import notifications
from studies.synthesis.services.routing import RoutingOutcome, insights_route


@transaction.atomic
def card_move(*, card: BoardCard, column: str, actor: User, note: str = "") -> BoardCard:
    """Move a card to a column of its board. Moving it where it already is changes nothing."""
    if column not in card.board.columns:
        raise ValidationError(
            {
                "column": _(
                    "“%(column)s” is not a column of %(board)s. Choose one of: %(choices)s."
                )
                % {
                    "column": column,
                    "board": card.board.name,
                    "choices": ", ".join(card.board.columns),
                }
            }
        )
    card = BoardCard.objects.select_for_update().select_related("board").get(pk=card.pk)
    if card.removed_at is not None:
        raise ConflictError(
            {"column": _("This insight is no longer on %(board)s.") % {"board": card.board.name}}
        )
    if card.column == column:
        return card
    event = CardEvent.objects.create(
        card=card,
        kind=CardEvent.Kind.MOVED,
        from_column=card.column,
        to_column=column,
        actor=actor,
        note=note.strip(),
    )
    card.column, card.moved_at, card.moved_by = column, event.created_at, actor
    card.save(update_fields=["column", "moved_at", "moved_by", "updated_at"])
    notifications.card_events_announce(event_ids=[event.pk])
    return card


def _matching_insights(rule: RoutingRule) -> QuerySet[InsightTag]:
    if rule.tag_id:
        return InsightTag.objects.filter(tag_id=rule.tag_id)
    links = InsightTag.objects.filter(tag__group=rule.tag_group)
    return links.filter(insight__study_id=rule.study_id) if rule.study_id else links


def _affected(*rules: RoutingRule) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = set()
    for rule in rules:
        ids |= set(_matching_insights(rule).values_list("insight_id", flat=True))
    return ids


def routing_rule_validate(
    *,
    board_id: uuid.UUID | None,
    tag_id: uuid.UUID | None,
    tag_group: str,
    study_id: uuid.UUID | None,
) -> tuple[Board, Tag | None, Study | None]:
    """The rule's board, tag and study, or a ValidationError naming each field at fault."""
    errors: dict[str, str] = {}
    board = Board.objects.filter(pk=board_id).first() if board_id else None
    if board is None:
        errors["board"] = _("There is no such board.")
    tag = Tag.objects.filter(pk=tag_id).first() if tag_id else None
    if tag_id and tag is None:
        errors["tag"] = _("There is no such tag.")
    study = Study.objects.filter(pk=study_id).first() if study_id else None
    if study_id and study is None:
        errors["study"] = _("There is no such study.")
    if bool(tag_id) == bool(tag_group):
        errors.setdefault(
            "tag", _("A rule matches either one tag or one tag group: give exactly one.")
        )
    if tag and study and tag.study_id != study.pk:
        errors["study"] = _("The tag belongs to another study.")
    if errors:
        raise ValidationError(errors)
    assert board is not None
    return board, tag, study or (tag.study if tag else None)


def _rule_detail(rule: RoutingRule) -> dict[str, Any]:
    return {
        "board": rule.board.slug,
        "tag": rule.tag.name if rule.tag else "",
        "tag_group": rule.tag_group,
        "study": str(rule.study_id or ""),
        "active": rule.active,
    }


def _audit_rule(
    action: AuditAction, rule: RoutingRule, actor: User | None, **before: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        study_id=rule.study_id,
        target=str(rule.pk),
        detail={**_rule_detail(rule), **before},
    )


@transaction.atomic
def routing_rule_create(
    *,
    board_id: uuid.UUID | None,
    tag_id: uuid.UUID | None = None,
    tag_group: str = "",
    study_id: uuid.UUID | None = None,
    active: bool = True,
    actor: User | None = None,
) -> tuple[RoutingRule, RoutingOutcome]:
    board, tag, study = routing_rule_validate(
        board_id=board_id, tag_id=tag_id, tag_group=tag_group, study_id=study_id
    )
    rule = RoutingRule.objects.create(
        board=board, tag=tag, tag_group=tag_group, study=study, active=active
    )
    _audit_rule(AuditAction.ROUTING_RULE_CREATED, rule, actor)
    return rule, insights_route(insight_ids=_affected(rule), actor=actor)


@transaction.atomic
def routing_rule_update(
    *,
    rule: RoutingRule,
    board_id: uuid.UUID | None,
    tag_id: uuid.UUID | None = None,
    tag_group: str = "",
    study_id: uuid.UUID | None = None,
    active: bool = True,
    actor: User | None = None,
) -> tuple[RoutingRule, RoutingOutcome]:
    """Change a rule and re-route every insight it matched before or matches now."""
    board, tag, study = routing_rule_validate(
        board_id=board_id, tag_id=tag_id, tag_group=tag_group, study_id=study_id
    )
    before = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    rule.board, rule.tag, rule.tag_group, rule.study, rule.active = (
        board,
        tag,
        tag_group,
        study,
        active,
    )
    rule.save()
    _audit_rule(AuditAction.ROUTING_RULE_CHANGED, rule, actor, before=_rule_detail(before))
    return rule, insights_route(insight_ids=_affected(before, rule), actor=actor)


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, actor: User | None = None) -> RoutingOutcome:
    affected = _affected(rule)
    _audit_rule(AuditAction.ROUTING_RULE_DELETED, rule, actor)
    rule.delete()
    return insights_route(insight_ids=affected, actor=actor)
