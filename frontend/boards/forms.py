"""The forms of these pages. They check the shape of what was sent; services decide the
rules, so a field a service checks (an empty statement, campaign or comment) is not
required here and the service's own message is the one people see."""

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontend.refusals import ServiceErrorsMixin, messages_of
from frontend.widgets import DrawnDateInput, DrawnTextInput, DrawnURLInput, MenuSelect
from studies.common.models import User
from studies.fieldwork.models import Tag
from studies.scheduling.access import studies_for_user
from studies.scheduling.models import ResearchQuestion, Round, Study
from studies.synthesis.models import Insight
from studies.synthesis.selectors import BoardSort

FILTER_NAMES = ("study", "round", "tag", "segment", "text")


@dataclass
class FilterOptions:
    """What the filter menus offer: the user's studies, their rounds and tags (one query
    each, whatever is chosen: a choice is checked against these lists, not the database)."""

    studies: list[Study]
    rounds: list[Round]
    tags: list[Tag]

    @classmethod
    def for_user(cls, user: User) -> "FilterOptions":
        studies = list(studies_for_user(user).only("pk", "title").order_by("title", "pk"))
        ids = [study.pk for study in studies]
        rounds = list(
            Round.objects.filter(study__in=ids)
            .only("pk", "label", "study_id")
            .order_by("-window_start", "label")
        )
        tags = list(
            Tag.objects.filter(study__in=ids)
            .only("pk", "name", "study_id")
            .order_by(Lower("name"), "pk")
        )
        return cls(studies=studies, rounds=rounds, tags=tags)

    def menu(self, items: list[Any], name: str) -> list[tuple[str, str]]:
        """Choices for a menu; rounds and tags say their study once there are several."""
        titles = {study.pk: study.title for study in self.studies}
        return [
            (
                str(item.pk),
                f"{getattr(item, name)} · {titles[item.study_id]}"
                if len(titles) > 1 and hasattr(item, "study_id")
                else getattr(item, name),
            )
            for item in items
        ]


def _uuid_choice(label: str, everything: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=uuid.UUID,
        empty_value=None,
        choices=[("", everything)],
        widget=MenuSelect,
    )


class BoardFilterForm(forms.Form):
    study = _uuid_choice(gettext_lazy("Study"), gettext_lazy("All studies"))
    round = _uuid_choice(gettext_lazy("Round"), gettext_lazy("All rounds"))
    tag = _uuid_choice(gettext_lazy("Tag"), gettext_lazy("All tags"))
    segment = forms.CharField(
        label=gettext_lazy("Segment"),
        required=False,
        max_length=100,
        widget=DrawnTextInput,
        help_text=gettext_lazy("Part of a segment phrase, e.g. “suburban”, or key=value."),
    )
    # Not a filter: which cards come first in each column.
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=BoardSort.choices,
        widget=MenuSelect,
    )

    def __init__(self, data: Any, *, options: FilterOptions) -> None:
        super().__init__(data or None)
        for name, items, attribute in [
            ("study", options.studies, "title"),
            ("round", options.rounds, "label"),
            ("tag", options.tags, "name"),
        ]:
            menu = self.fields[name]
            menu.choices = [*menu.choices[:1], *options.menu(items, attribute)]

    def chosen(self) -> dict[str, Any]:
        """The filters that are valid; a bad one is reported and left out, not guessed."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class QuoteFilterForm(BoardFilterForm):
    sort = None  # the quote bank lists quotes newest first, whatever the board's sort
    text = forms.CharField(
        label=gettext_lazy("Words in the quote"),
        required=False,
        max_length=200,
        widget=DrawnTextInput,
    )


def filter_query(chosen: dict[str, Any]) -> str:
    return urlencode({name: str(chosen[name]) for name in FILTER_NAMES if name in chosen})


class InsightEditForm(ServiceErrorsMixin, forms.Form):
    # Not required here: the service says what an empty statement lacks.
    statement = forms.CharField(
        label=gettext_lazy("Statement"),
        required=False,
        max_length=Insight._meta.get_field("statement").max_length,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Tags"),
        required=False,
        coerce=uuid.UUID,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tags decide which boards the insight is on."),
    )
    research_question = forms.TypedChoiceField(
        label=gettext_lazy("Answers the research question"),
        required=False,
        coerce=uuid.UUID,
        empty_value=None,
    )

    def __init__(self, *args: Any, insight: Insight, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = Tag.objects.filter(study=insight.study_id).order_by(Lower("name"), "pk")
        self.fields["tags"].choices = [(str(tag.pk), tag.name) for tag in tags]
        questions = ResearchQuestion.objects.filter(study=insight.study_id)
        self.fields["research_question"].choices = [
            ("", _("None")),
            *((str(question.pk), question.text) for question in questions),
        ]
        if not self.is_bound:
            self.initial = {
                "statement": insight.statement,
                "description": insight.description,
                "tags": [str(tag.pk) for tag in insight.tags.all()],
                "research_question": str(insight.research_question_id or ""),
            }


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def add_service_error(self, error: ValidationError) -> None:
        self.add_error("text", messages_of(error))


class QuoteUseForm(ServiceErrorsMixin, forms.Form):
    campaign = forms.CharField(
        label=gettext_lazy("Campaign or piece of copy"),
        required=False,
        max_length=200,
        widget=DrawnTextInput,
    )
    link = forms.CharField(
        label=gettext_lazy("Link (optional)"),
        required=False,
        max_length=500,
        widget=DrawnURLInput,
    )
    used_on = forms.DateField(
        label=gettext_lazy("Used on"),
        required=False,
        widget=DrawnDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty for today."),
    )
