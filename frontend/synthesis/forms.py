"""Forms of the synthesis screen, the insights list and the tags pages. They check the
shape of what was sent (ids are ids, a choice is one of the study's); the services decide
what may be done with it."""

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from frontend.refusals import ServiceErrorsMixin
from studies.fieldwork.models import ObservationKind, Tag, TagGroup
from studies.scheduling.models import Household, ResearchQuestion, Round
from studies.synthesis.models import Insight
from studies.synthesis.selectors import PHOTO_KIND, GuideQuestionKey, ObservationFilters

ANY = ("", _("Any"))
# A question's wording in the filter's list: long questions are cut, the list stays narrow.
QUESTION_LABEL_CHARS = 70


def _choices(pairs: Iterable[tuple[object, str]], empty: tuple[str, Any]) -> list:
    return [empty, *((str(pk), label) for pk, label in pairs)]


def _uuid_choice(**kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(coerce=uuid.UUID, empty_value=None, required=False, **kwargs)


class UUIDListField(forms.Field):
    """Any number of ids sent under one name (checkboxes the template draws itself)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("“%(value)s” is not a valid id.")}

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        ids = []
        for item in [value] if isinstance(value, str) else value:
            try:
                ids.append(uuid.UUID(str(item)))
            except ValueError:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": item}
                ) from None
        return list(dict.fromkeys(ids))


class ObservationFilterForm(forms.Form):
    """The synthesis screen's filters; choices come from lists the page shows anyway."""

    round = _uuid_choice(label=_("Round"))
    household = _uuid_choice(label=_("Household"))
    segment = forms.CharField(
        label=_("Segment"),
        required=False,
        max_length=100,
        help_text=_("A phrase, or key=value such as region=north."),
    )
    tag = _uuid_choice(label=_("Tag"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[ANY, *ObservationKind.choices, (PHOTO_KIND, _("Photo"))],
    )
    question = _uuid_choice(
        label=_("Question"),
        help_text=_("One guide question's answers, across rounds."),
    )
    text = forms.CharField(
        label=_("Text contains"),
        required=False,
        max_length=200,
        help_text=_("Photo captions too."),
    )

    def __init__(
        self,
        *args: Any,
        rounds: list[Round],
        households: list[Household],
        tags: list[Tag],
        guide_questions: list[GuideQuestionKey],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = _choices(
            ((q.key, Truncator(q.text).chars(QUESTION_LABEL_CHARS)) for q in guide_questions),
            ANY,
        )
        self.fields["round"].choices = _choices(((r.pk, r.label) for r in rounds), ANY)
        self.fields["household"].choices = _choices(
            (
                (h.pk, f"{h.code} · {h.segment_phrase}" if h.segment_phrase else h.code)
                for h in households
            ),
            ANY,
        )
        self.fields["tag"].choices = _choices(((t.pk, t.name) for t in tags), ANY)

    def filters(self) -> ObservationFilters:
        data = self.cleaned_data
        return ObservationFilters(
            round_id=data["round"],
            household_id=data["household"],
            segment=data["segment"].strip(),
            tag_id=data["tag"],
            kind=data["kind"],
            text=data["text"].strip(),
            question_key=data["question"],
        )


class EvidenceForm(ServiceErrorsMixin, forms.Form):
    """The synthesis screen's selection, and what to make of it: a new insight, or more
    evidence for one the study already has."""

    CREATE = "create"
    ADD = "add"

    action = forms.ChoiceField(choices=[(CREATE, CREATE), (ADD, ADD)], widget=forms.HiddenInput)
    observations = UUIDListField(required=False)
    photos = UUIDListField(required=False)
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One sentence: what we learned."),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = UUIDListField(required=False)
    research_question = _uuid_choice(label=_("Answers the research question"))
    insight = _uuid_choice(label=_("Insight"))

    def __init__(
        self,
        *args: Any,
        questions: list[ResearchQuestion],
        insights: list[Insight],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["research_question"].choices = _choices(
            ((q.pk, q.text) for q in questions), ("", _("None yet"))
        )
        self.fields["insight"].choices = _choices(
            ((i.pk, i.statement) for i in insights), ("", _("Choose an insight"))
        )
        self.insights = {insight.pk: insight for insight in insights}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == self.ADD:
            if not data.get("insight"):
                self.add_error("insight", _("Choose the insight to add the evidence to."))
            if not data.get("observations") and not data.get("photos"):
                self.add_error("observations", _("Tick at least one observation or photo to add."))
        return data

    def chosen_insight(self) -> Insight:
        return self.insights[self.cleaned_data["insight"]]


class InsightFilterForm(forms.Form):
    text = forms.CharField(label=_("Text contains"), required=False, max_length=200)
    tag = _uuid_choice(label=_("Tag"))
    question = _uuid_choice(label=_("Research question"))

    def __init__(
        self, *args: Any, tags: list[Tag], questions: list[ResearchQuestion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = _choices(((t.pk, t.name) for t in tags), ANY)
        self.fields["question"].choices = _choices(((q.pk, q.text) for q in questions), ANY)


class ColourInput(forms.TextInput):
    input_type = "color"


class TagForm(ServiceErrorsMixin, forms.Form):
    """A new tag, or an existing one's name, group, colour and description."""

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    group = forms.ChoiceField(
        label=_("Group"), required=False, choices=[("", _("No group")), *TagGroup.choices]
    )
    colour = forms.CharField(
        label=_("Colour"), required=False, initial="#5b6b7f", widget=ColourInput()
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TagMergeForm(forms.Form):
    into = forms.UUIDField(
        label=_("Merge into"),
        error_messages={"required": _("Choose the tag to merge into.")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
