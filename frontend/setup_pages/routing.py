"""A study's routing rules for its research lead, each change previewed before it is saved.

A change is asked for with GET (`?change=add|switch|delete`): the page then shows which of
the study's insights it would put on or take off which boards, worked out by the code that
routes (studies.synthesis.services.boards → routing), and a button that makes it. Saving
is a POST to the rule's own route. Rules for every study are shown read-only: an
administrator changes them.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from frontend.refusals import errors_of, messages_of, status_for
from studies.common.roles import Capability
from studies.fieldwork.models import Tag, TagGroup
from studies.scheduling import access, policies
from studies.scheduling.models import Study
from studies.synthesis.models import Board, RoutingRule
from studies.synthesis.services import boards as services
from studies.synthesis.services.boards import RuleChangePreview
from studies.synthesis.services.routing import RoutingOutcome

TAG, GROUP = "tag", "group"


class RuleForm(forms.Form):
    """A new rule of the study: one of its tags, or a tag group limited to it, → a board."""

    match = forms.ChoiceField(label=gettext_lazy("Insights with"))
    board = forms.TypedChoiceField(label=gettext_lazy("Go to"), coerce=uuid.UUID)

    def __init__(self, *args: Any, tags: list[Tag], boards: list[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = [
            ("", "—"),
            (
                _("A tag group, in this study"),
                [(f"{GROUP}:{value}", label) for value, label in TagGroup.choices],
            ),
            (_("A tag of this study"), [(f"{TAG}:{tag.pk}", tag.name) for tag in tags]),
        ]
        self.fields["board"].choices = [(str(board.pk), board.name) for board in boards]

    def rule(self) -> dict[str, Any]:
        """The service's keywords for the chosen match and board."""
        kind, _sep, value = self.cleaned_data["match"].partition(":")
        return {
            "board_id": self.cleaned_data["board"],
            "tag_id": uuid.UUID(value) if kind == TAG else None,
            "tag_group": value if kind == GROUP else "",
        }

    def add_service_error(self, error: ValidationError) -> None:
        for key, field_messages in errors_of(error).items():
            # The service names the tag, the tag group or the study: all are `match` here.
            name = "match" if key in ("tag", "tag_group", "study") else key
            self.add_error(name if name in self.fields else None, field_messages)


@dataclass
class Pending:
    """A change asked for, with its preview and what the confirm button sends."""

    kind: str  # add, switch or delete
    preview: RuleChangePreview
    rule: RoutingRule | None = None
    switch_to: bool | None = None  # for a switch: on (True) or off


def _study(request: HttpRequest, study_id: object) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _rule(study: Study, rule_id: object) -> RoutingRule:
    rule = services.study_routing_rule(study=study, rule_id=access.as_uuid(rule_id))
    if rule is None:
        raise Http404
    return rule


def _form(study: Study, data: Any = None) -> RuleForm:
    return RuleForm(
        data,
        tags=list(Tag.objects.filter(study=study).order_by("name")),
        boards=list(Board.objects.order_by("kind", "name")),
        prefix="rule",
    )


def _page(
    request: HttpRequest,
    study: Study,
    *,
    form: RuleForm | None = None,
    pending: Pending | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    rules = list(services.study_routing_rules(study=study))
    for rule in rules:
        rule.editable = services.rule_scoped_to_study(rule, study)
    context = {
        "study": study,
        "closed": policies.study_is_closed(study),
        "tag_rules": [rule for rule in rules if rule.tag_id],
        "study_rules": [rule for rule in rules if not rule.tag_id and rule.editable],
        "global_rules": [rule for rule in rules if not rule.editable],
        "form": form or _form(study),
        "pending": pending,
        "errors": errors or [],
    }
    return render(request, "frontend/routing.html", context, status=status)


def _refused(request: HttpRequest, study: Study, error: ValidationError) -> HttpResponse:
    return _page(request, study, errors=messages_of(error), status=status_for(error))


@require_GET
@login_required
def routing_page(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    change = request.GET.get("change")
    if change is None or policies.study_is_closed(study):
        return _page(request, study)
    if change == "add":
        form = _form(study, request.GET)
        if not form.is_valid():
            return _page(request, study, form=form, status=400)
        try:
            preview = services.study_rule_preview_create(study=study, **form.rule())
        except ValidationError as error:
            form.add_service_error(error)
            return _page(request, study, form=form, status=status_for(error))
        return _page(request, study, form=form, pending=Pending("add", preview))
    if change in ("switch", "delete"):
        # A rule for every study is a 403 here, from the service: an administrator's.
        rule = _rule(study, request.GET.get("rule"))
        if change == "delete":
            preview = services.study_rule_preview_delete(study=study, rule=rule)
            return _page(request, study, pending=Pending("delete", preview, rule=rule))
        switch_to = not rule.active
        preview = services.study_rule_preview_update(study=study, rule=rule, active=switch_to)
        return _page(
            request, study, pending=Pending("switch", preview, rule=rule, switch_to=switch_to)
        )
    return _page(request, study, errors=[_("Unknown change.")], status=400)


def _saved(
    request: HttpRequest, study: Study, outcome: RoutingOutcome, message: str
) -> HttpResponse:
    moved = _("%(on)d put on a board, %(off)d taken off.") % {
        "on": len(outcome.placed) + len(outcome.restored),
        "off": len(outcome.removed),
    }
    messages.success(request, f"{message} {moved}")
    return redirect("frontend:study-routing", study_id=study.pk)


@require_POST
@login_required
def rule_add(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    form = _form(study, request.POST)
    if not form.is_valid():
        return _page(request, study, form=form, status=400)
    try:
        rule, outcome = services.study_rule_create(study=study, actor=request.user, **form.rule())
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, form=form, status=status_for(error))
    return _saved(request, study, outcome, _("Rule added: %(rule)s.") % {"rule": rule})


@require_POST
@login_required
def rule_switch(request: HttpRequest, study_id: object, rule_id: object) -> HttpResponse:
    study = _study(request, study_id)
    rule = _rule(study, rule_id)
    active = request.POST.get("active")
    if active not in ("on", "off"):
        return _page(request, study, errors=[_("Choose to switch the rule on or off.")], status=400)
    try:
        rule, outcome = services.study_rule_update(
            study=study, rule=rule, active=active == "on", actor=request.user
        )
    except ValidationError as error:
        return _refused(request, study, error)
    message = _("Rule switched on: %(rule)s.") if rule.active else _("Rule switched off: %(rule)s.")
    return _saved(request, study, outcome, message % {"rule": rule})


@require_POST
@login_required
def rule_delete(request: HttpRequest, study_id: object, rule_id: object) -> HttpResponse:
    study = _study(request, study_id)
    rule = _rule(study, rule_id)
    described = str(rule)
    try:
        outcome = services.study_rule_delete(study=study, rule=rule, actor=request.user)
    except ValidationError as error:
        return _refused(request, study, error)
    return _saved(request, study, outcome, _("Rule deleted: %(rule)s.") % {"rule": described})
