"""The Loop health page: how long observations take to become decisions, per study or round."""

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from frontend.charts import LineChart, Series, line_chart
from studies.loop.selectors.health import RoundHealth, loop_health
from studies.scheduling.access import study_get_for_user
from studies.scheduling.models import Round

DAY_SECONDS = 24 * 60 * 60


class RoundChoiceForm(forms.Form):
    round = forms.TypedChoiceField(
        label=gettext_lazy("Round"), coerce=uuid.UUID, empty_value=None, required=False
    )

    def __init__(self, *args: Any, rounds: list[Round], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [
            ("", _("All rounds")),
            *((str(round_.pk), round_.label) for round_ in rounds),
        ]


def as_days(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / DAY_SECONDS


def days_label(value: float) -> str:
    """An axis label in days: "0.5 d", "12 d"."""
    places = 1 if 0 < value < 10 and value != int(value) else 0
    return _("%(days)s d") % {"days": formats.number_format(value, decimal_pos=places)}


def trend_chart(by_round: list[RoundHealth]) -> LineChart | None:
    """Each step's median per round, oldest round first; nothing to draw without rounds."""
    if not by_round:
        return None
    steps = [timing.step for timing in by_round[0].timings]
    return line_chart(
        title=_("Median time of each step, by round, in days"),
        x_labels=[row.round.label for row in by_round],
        series=[
            Series(
                label=str(step.label),
                values=[as_days(row.timings[index].median) for row in by_round],
            )
            for index, step in enumerate(steps)
        ],
        y_max=1.0,
        y_format=days_label,
    )


@require_GET
@login_required
def loop_health_page(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(user=request.user, study_id=study_id)
    rounds = list(Round.objects.filter(study=study).order_by("window_start", "label"))
    form = RoundChoiceForm(request.GET or None, rounds=rounds)
    context: dict[str, Any] = {"study": study, "form": form, "health": None}
    if request.GET and not form.is_valid():
        return render(request, "frontend/loop_health.html", context, status=400)
    chosen = form.cleaned_data["round"] if form.is_bound else None
    round_ = next((one for one in rounds if one.pk == chosen), None)
    health = loop_health(study=study, round_=round_)
    context.update(
        round=round_,
        health=health,
        headline=health.headline,
        chart=trend_chart(health.by_round),
    )
    return render(request, "frontend/loop_health.html", context)
