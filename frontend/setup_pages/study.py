"""A research lead's set-up pages: start a study, change its settings, close and reopen it,
and write the discussion guide its next round will ask.

The same services as the API do the work and decide the rules (studies.scheduling.services);
these pages only read what was typed. Both lists (research questions, guide questions) are
plain forms with an order box per row, so they work without scripts; list-editor.js adds
moving by buttons and by dragging, and adding and removing rows in place.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from frontend.forms import TimeInput
from frontend.refusals import ServiceErrorsMixin, messages_of, status_for
from frontend.setup_pages.list_editor import Row, named_rows, row_errors, row_key, rows_from_post
from studies.common.models import time_zone_names
from studies.common.roles import Capability, role_can
from studies.scheduling import access, policies, selectors, services
from studies.scheduling.models import Cadence, Study
from studies.scheduling.services.guides import next_guide_replace
from studies.scheduling.services.rounds import GuideItem
from studies.scheduling.services.studies import study_close, study_reopen


def _bounds(name: str) -> dict[str, int]:
    """The HTML min and max of a number box: the model field's own validators."""
    validators = Study._meta.get_field(name).validators
    lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
    return {"min": max(lows, default=0), "max": min(highs)}


def _number(name: str, label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={**_bounds(name), "inputmode": "numeric"}),
    )


class StudyForm(ServiceErrorsMixin, forms.Form):
    """The shape of a study's settings; their ranges are the model's, checked by the
    service, whose messages land next to these fields."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    why = forms.CharField(
        label=gettext_lazy("Why this study exists"),
        help_text=gettext_lazy("The question this study exists to answer."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cadence = forms.ChoiceField(
        label=gettext_lazy("Cadence"),
        choices=Cadence.choices,
        help_text=gettext_lazy("How often a round of visits goes out."),
    )
    time_zone = forms.CharField(
        label=gettext_lazy("Time zone"),
        max_length=64,
        help_text=gettext_lazy(
            "Where the visits happen, e.g. Europe/London: working hours and windows are read in it."
        ),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    planning_lead_days = _number(
        "planning_lead_days",
        gettext_lazy("Planning lead time (days)"),
        gettext_lazy("How many days before a round's window opens it is planned."),
    )
    visit_minutes = _number("visit_minutes", gettext_lazy("Visit length (minutes)"))
    travel_minutes = _number(
        "travel_minutes",
        gettext_lazy("Gap between visits (minutes)"),
        gettext_lazy("Travel time a researcher needs between two homes."),
    )
    workday_start = forms.TimeField(label=gettext_lazy("Working day starts"), widget=TimeInput())
    workday_end = forms.TimeField(label=gettext_lazy("Working day ends"), widget=TimeInput())

    def add_service_error(self, error: ValidationError) -> None:
        # The model's one check across fields is that the working day ends after it
        # starts: show it at the end of the day, where it is fixed.
        if hasattr(error, "error_dict") and "__all__" in error.error_dict:
            self.add_error("workday_end", error.error_dict.pop("__all__"))
        super().add_service_error(error)


def _initial(study: Study) -> dict[str, Any]:
    return {name: getattr(study, name) for name in StudyForm.base_fields}


def _new_study_initial() -> dict[str, Any]:
    """A new study's defaults are the model's."""
    return {
        name: Study._meta.get_field(name).get_default()
        for name in StudyForm.base_fields
        if name not in ("title", "why")
    }


# --- Starting a study and changing its settings ----------------------------------------


def _settings_page(
    request: HttpRequest,
    *,
    form: StudyForm,
    rows: list[Row],
    study: Study | None,
    status: int = 200,
) -> HttpResponse:
    closed = study is not None and policies.study_is_closed(study)
    context = {
        "study": study,
        "form": form,
        "rows": named_rows(rows, "questions", spares=not closed),
        "closed": closed,
        "rows_have_errors": any(row.errors for row in rows),
        "time_zones": time_zone_names(),
        "lead_days": study.planning_lead_days if study else None,
    }
    return render(request, "frontend/study_form.html", context, status=status)


def _save_study(
    request: HttpRequest, study: Study | None
) -> tuple[Study | None, StudyForm, list[Row], int]:
    """Validate and save; returns the study (None if refused), the form and rows to show
    again, and the status."""
    form = StudyForm(request.POST)
    rows = rows_from_post(request.POST, "questions")
    if not form.is_valid():
        return None, form, rows, 400
    questions = [row.text for row in rows]
    try:
        if study is None:
            saved = services.study_create(
                actor=request.user, questions=questions, **form.cleaned_data
            )
        else:
            saved = services.study_update(study=study, questions=questions, **form.cleaned_data)
    except ValidationError as error:
        rest = row_errors(rows, error, "questions")
        if rest:
            form.add_service_error(ValidationError(rest))
        return None, form, rows, status_for(error)
    return saved, form, rows, 200


@require_http_methods(["GET", "POST"])
@login_required
def study_new(request: HttpRequest) -> HttpResponse:
    if not access.can_start_study(request.user):
        raise PermissionDenied
    if request.method == "GET":
        return _settings_page(
            request, form=StudyForm(initial=_new_study_initial()), rows=[], study=None
        )
    study, form, rows, status = _save_study(request, None)
    if study is None:
        return _settings_page(request, form=form, rows=rows, study=None, status=status)
    messages.success(
        request,
        _("%(title)s is started, and you lead it. Next: its panel, its guide and its team.")
        % {"title": study.title},
    )
    return redirect("frontend:study", study_id=study.pk)


@require_http_methods(["GET", "POST"])
@login_required
def study_settings(request: HttpRequest, study_id: object) -> HttpResponse:
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    stored = [
        Row(index=n, text=question.text, listed=True)
        for n, question in enumerate(selectors.question_list(study=study))
    ]
    if request.method == "GET":
        return _settings_page(
            request, form=StudyForm(initial=_initial(study)), rows=stored, study=study
        )
    saved, form, rows, status = _save_study(request, study)
    if saved is None:
        study.refresh_from_db()
        return _settings_page(request, form=form, rows=rows, study=study, status=status)
    messages.success(request, _("Settings saved."))
    return redirect("frontend:study", study_id=study.pk)


# --- Closing and reopening -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def study_close_view(request: HttpRequest, study_id: object) -> HttpResponse:
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        try:
            study_close(study=study)
        except ValidationError as error:
            errors, status = messages_of(error), status_for(error)
        else:
            messages.success(
                request,
                _(
                    "%(title)s is closed. Its data stays; nothing in it changes until it "
                    "is reopened."
                )
                % {"title": study.title},
            )
            return redirect("frontend:study", study_id=study.pk)
    context = {"study": study, "closed": policies.study_is_closed(study), "errors": errors}
    return render(request, "frontend/study_close.html", context, status=status)


@require_POST
@login_required
def study_reopen_view(request: HttpRequest, study_id: object) -> HttpResponse:
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    if policies.study_is_closed(study):
        study_reopen(study=study)
        messages.success(
            request,
            _("%(title)s is open again as %(status)s.")
            % {"title": study.title, "status": study.get_status_display().lower()},
        )
    return redirect("frontend:study", study_id=study.pk)


# --- The discussion guide -----------------------------------------------------------------


def _guide_rows(questions: Iterable[Any]) -> list[Row]:
    return [
        Row(
            index=n,
            text=question.text,
            section=question.section,
            key=str(question.key),
            answer_count=question.answer_count,
            listed=True,
        )
        for n, question in enumerate(questions)
    ]


def _guide_page(
    request: HttpRequest,
    study: Study,
    *,
    rows: list[Row] | None = None,
    errors: Iterable[str] = (),
    status: int = 200,
) -> HttpResponse:
    can_manage = role_can(study.viewer_role, Capability.MANAGE_STUDY)
    closed = policies.study_is_closed(study)
    can_edit = can_manage and not closed
    guide = list(selectors.next_guide_list(study=study, with_answer_counts=True))
    stored = _guide_rows(guide)
    if rows is None:
        rows = stored
    else:
        # Rows typed again after a refusal keep their answer counts, by key.
        counts = {row.key: row.answer_count for row in stored}
        for row in rows:
            row.answer_count = counts.get(row.key, 0)
    following = selectors.rounds_following_next_guide(
        study=study, today=services.study_today(study)
    )
    context = {
        "study": study,
        "guide": guide,
        "rows": named_rows(rows, "guide", spares=can_edit),
        "rows_have_errors": any(row.errors for row in rows),
        "sections": sorted({row.section for row in rows if row.section}),
        "can_edit": can_edit,
        "can_manage": can_manage,
        "closed": closed,
        "written": study.next_guide.exists(),
        "following": [round_.label for round_ in following],
        "errors": list(errors),
    }
    return render(request, "frontend/guide.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def study_guide(request: HttpRequest, study_id: object) -> HttpResponse:
    """Everyone on the team may read the next guide; its research lead writes it."""
    if request.method == "GET":
        return _guide_page(request, access.study_get_for_user(user=request.user, study_id=study_id))
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    rows = rows_from_post(request.POST, "guide")
    items = [GuideItem(text=row.text, key=row_key(row), section=row.section) for row in rows]
    try:
        next_guide_replace(study=study, items=items)
    except ValidationError as error:
        study.refresh_from_db()
        rest = row_errors(rows, error, "items")
        return _guide_page(
            request,
            study,
            rows=rows,
            errors=[message for found in rest.values() for message in found],
            status=status_for(error),
        )
    messages.success(request, _("Guide saved."))
    return redirect("frontend:study-guide", study_id=study.pk)
