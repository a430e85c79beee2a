"""Moving cards between a board's columns, and routing rules, whose changes re-route."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.fieldwork.models import Tag
from studies.scheduling.models import Study
from studies.scheduling.policies import refuse_if_closed
from studies.synthesis.models import Board, BoardCard, CardEvent, Insight, InsightTag, RoutingRule
from studies.synthesis.services import notifications
from studies.synthesis.services.routing import RoutingOutcome, insights_route, routing_preview


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


# --- A research lead's rules: those scoped to her study -----------------------------------
# The rules that apply to a study are its tags' rules, group rules limited to it, and group
# rules for every study. A lead changes the first two; the last are an administrator's.


def study_routing_rules(*, study: Study) -> QuerySet[RoutingRule]:
    """Every rule that routes the study's insights, the study's own first."""
    return (
        RoutingRule.objects.filter(
            Q(study=study) | Q(tag__study=study) | Q(study__isnull=True, tag__isnull=True)
        )
        .select_related("board", "tag", "study")
        .order_by(
            F("study").asc(nulls_last=True),
            "board__kind",
            "tag_group",
            "tag__name",
            "created_at",
            "pk",
        )
    )


def study_routing_rule(*, study: Study, rule_id: uuid.UUID) -> RoutingRule | None:
    """One rule that applies to the study; None for any other."""
    return study_routing_rules(study=study).filter(pk=rule_id).first()


def rule_scoped_to_study(rule: RoutingRule, study: Study) -> bool:
    """A rule a study's lead may change: on one of its tags, or a group rule limited to it."""
    if rule.tag_id:
        return rule.tag.study_id == study.pk
    return rule.study_id == study.pk


def _refuse_unless_scoped(rule: RoutingRule, study: Study) -> None:
    if not rule_scoped_to_study(rule, study):
        raise PermissionDenied(
            _("This rule routes insights of every study: an administrator changes it.")
        )


def _study_rule(
    *, study: Study, board_id: uuid.UUID | None, tag_id: uuid.UUID | None, tag_group: str
) -> RoutingRule:
    """An unsaved rule of the study, or a ValidationError naming each field at fault."""
    if tag_id and not Tag.objects.filter(pk=tag_id, study=study).exists():
        raise ValidationError({"tag": [_("Choose a tag of this study.")]})
    board, tag, _study = routing_rule_validate(
        board_id=board_id, tag_id=tag_id, tag_group=tag_group, study_id=study.pk
    )
    duplicate = RoutingRule.objects.filter(
        board=board, tag=tag, tag_group=tag_group, study=study
    ).exists()
    if duplicate:
        raise ConflictError({"board": [_("This study already has that rule.")]})
    return RoutingRule(board=board, tag=tag, tag_group=tag_group, study=study, active=True)


@dataclass(frozen=True)
class RuleChangePreview:
    """Which insights of the study a rule change would put on, or take off, which boards."""

    placed: list[tuple[Insight, Board]]
    removed: list[tuple[Insight, Board]]

    @property
    def empty(self) -> bool:
        return not (self.placed or self.removed)


def _preview(*, before: RoutingRule | None, after: RoutingRule | None) -> RuleChangePreview:
    """The same computation routing makes (routing.routing_preview), over the same
    insights the change would re-route, with the rules as they would be: nothing written."""
    rules = [
        rule
        for rule in RoutingRule.objects.filter(active=True)
        if not before or rule.pk != before.pk
    ]
    if after is not None:
        rules.append(after)
    insight_ids = _affected(*(rule for rule in (before, after) if rule is not None))
    preview = routing_preview(insight_ids=insight_ids, rules=rules)
    pairs = [*preview.placed, *preview.removed]
    insights = Insight.objects.in_bulk({insight_id for insight_id, _b in pairs})
    boards = Board.objects.in_bulk({board_id for _i, board_id in pairs})

    def rows(found: list[tuple[uuid.UUID, uuid.UUID]]) -> list[tuple[Insight, Board]]:
        return sorted(
            ((insights[i], boards[b]) for i, b in found),
            key=lambda row: (row[1].name, row[0].statement),
        )

    return RuleChangePreview(placed=rows(preview.placed), removed=rows(preview.removed))


def study_rule_preview_create(
    *, study: Study, board_id: uuid.UUID | None, tag_id: uuid.UUID | None, tag_group: str
) -> RuleChangePreview:
    rule = _study_rule(study=study, board_id=board_id, tag_id=tag_id, tag_group=tag_group)
    return _preview(before=None, after=rule)


def study_rule_preview_update(
    *,
    study: Study,
    rule: RoutingRule,
    active: bool | None = None,
    board_id: uuid.UUID | None = None,
) -> RuleChangePreview:
    _refuse_unless_scoped(rule, study)
    after = RoutingRule(
        pk=rule.pk,
        board=_board(board_id) if board_id else rule.board,
        tag=rule.tag,
        tag_group=rule.tag_group,
        study=rule.study,
        active=rule.active if active is None else active,
    )
    return _preview(before=rule, after=after)


def study_rule_preview_delete(*, study: Study, rule: RoutingRule) -> RuleChangePreview:
    _refuse_unless_scoped(rule, study)
    return _preview(before=rule, after=None)


def _board(board_id: uuid.UUID) -> Board:
    board = Board.objects.filter(pk=board_id).first()
    if board is None:
        raise ValidationError({"board": [_("There is no such board.")]})
    return board


def study_rule_create(
    *,
    study: Study,
    board_id: uuid.UUID | None,
    tag_id: uuid.UUID | None = None,
    tag_group: str = "",
    actor: User,
) -> tuple[RoutingRule, RoutingOutcome]:
    """A lead's rule: one of the study's tags, or a tag group limited to the study."""
    refuse_if_closed(study)
    rule = _study_rule(study=study, board_id=board_id, tag_id=tag_id, tag_group=tag_group)
    return routing_rule_create(
        board_id=rule.board_id,
        tag_id=rule.tag_id,
        tag_group=rule.tag_group,
        study_id=study.pk,
        actor=actor,
    )


def study_rule_update(
    *,
    study: Study,
    rule: RoutingRule,
    active: bool | None = None,
    board_id: uuid.UUID | None = None,
    actor: User,
) -> tuple[RoutingRule, RoutingOutcome]:
    """Switch one of the study's rules on or off, or send it to another board."""
    refuse_if_closed(study)
    _refuse_unless_scoped(rule, study)
    return routing_rule_update(
        rule=rule,
        board_id=_board(board_id).pk if board_id else rule.board_id,
        tag_id=rule.tag_id,
        tag_group=rule.tag_group,
        study_id=rule.study_id,
        active=rule.active if active is None else active,
        actor=actor,
    )


def study_rule_delete(*, study: Study, rule: RoutingRule, actor: User) -> RoutingOutcome:
    refuse_if_closed(study)
    _refuse_unless_scoped(rule, study)
    return routing_rule_delete(rule=rule, actor=actor)
