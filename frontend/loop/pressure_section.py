"""The pressure-test section of the insight page: what it shows and the scoring form.

Kept apart from the handlers (frontend/loop/pressure.py) so the insight page can build the
section without importing the handlers that render the insight page.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontend.refusals import ServiceErrorsMixin
from studies.common.roles import REVIEW_TEAMS, Capability, role_can
from studies.loop import scoring
from studies.loop.models import SCORE_MAX, SCORE_MIN, PressureReview, ReviewTeam
from studies.loop.selectors.pressure import (
    EvidenceStrength,
    PressureTestDetail,
    evidence_strength_of,
    pressure_test_detail,
    pressure_test_of,
)
from studies.loop.services.pressure import score_message
from studies.synthesis.models import Insight

SIGNAL_HINTS = {
    "importance": gettext_lazy("How badly customers need this: 1 barely, 5 badly."),
    "differentiation": gettext_lazy(
        "How far it would set us apart from competitors: 1 not at all, 5 clearly."
    ),
    "feasibility": gettext_lazy("How readily we could act on it: 1 very hard, 5 easily."),
}


def _signal(label: str) -> forms.TypedChoiceField:
    # Not required here: the service says what a missing score lacks, as for the API.
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(value, str(value)) for value in range(SCORE_MIN, SCORE_MAX + 1)],
        widget=forms.RadioSelect,
    )


class PressureReviewForm(ServiceErrorsMixin, forms.Form):
    importance = _signal(gettext_lazy("Importance to customers"))
    differentiation = _signal(gettext_lazy("Differentiation from competitors"))
    feasibility = _signal(gettext_lazy("Feasibility"))
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why these scores: what would change them."),
    )

    def __init__(self, *args: Any, review: PressureReview | None = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix="pressure", **kwargs)
        for name in scoring.SIGNALS:
            # The service's words for a score off the scale, whichever of the two finds it.
            self.fields[name].error_messages["invalid_choice"] = score_message()
        if review is not None and not self.is_bound:
            self.initial = {name: getattr(review, name) for name in (*scoring.SIGNALS, "comment")}

    def signals(self) -> list[tuple[forms.BoundField, str]]:
        """Each signal's field with its hint, for one fieldset each."""
        return [(self[name], str(SIGNAL_HINTS[name])) for name in scoring.SIGNALS]


@dataclass
class PressureSection:
    insight: Insight
    detail: PressureTestDetail | None
    evidence: EvidenceStrength
    can_open: bool
    team: str  # the viewer's review team's label, "" if they do not review
    form: PressureReviewForm | None
    my_review: PressureReview | None
    errors: list[str] = field(default_factory=list)  # about putting it up

    @property
    def status(self) -> str:
        if self.detail is None:
            return ""
        labels = [team.label for team in self.detail.teams]
        if self.detail.test.is_complete:
            return _("Complete: scored by %(teams)s") % {"teams": _listed(labels)}
        if labels:
            return _("Needs a second team: only %(team)s has scored") % {"team": labels[0]}
        return _("Needs a second team: no one has scored yet")


def _listed(labels: list[str]) -> str:
    """“Product and Sales”, “Product, Marketing and Sales”."""
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def pressure_section(
    request: HttpRequest,
    insight: Insight,
    *,
    form: PressureReviewForm | None = None,
    errors: list[str] | None = None,
) -> PressureSection:
    """Two queries with a test (it, then its reviews with their reviewers), one without."""
    role = insight.study.viewer_role
    test = pressure_test_of(insight)
    detail = pressure_test_detail(test=test) if test is not None else None
    reviews = role_can(role, Capability.REVIEW_PRESSURE_TEST) and role in REVIEW_TEAMS
    my_review = detail.review_of(request.user.pk) if detail is not None else None
    if form is None and detail is not None and reviews:
        form = PressureReviewForm(review=my_review)
    return PressureSection(
        insight=insight,
        detail=detail,
        evidence=evidence_strength_of(insight),
        can_open=test is None and role_can(role, Capability.OPEN_PRESSURE_TEST),
        team=str(ReviewTeam(role).label) if reviews else "",
        form=form,
        my_review=my_review,
        errors=errors or [],
    )
