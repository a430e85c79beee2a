"""Query-string filters of the list endpoints. A malformed value is a 400 naming it."""

import datetime as dt
import uuid
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studies.scheduling import access
from studies.scheduling.api.serializers import EARLIEST, LATEST
from studies.scheduling.models import Household, Round, Visit, VisitStatus
from studies.scheduling.selectors import local_day_bounds, zone_or_utc

TRUE_WORDS = frozenset({"", "1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class PresenceFlagField(forms.Field):
    """`?mine` alone means yes; `?mine=false` means no; absent means "don't filter"."""

    default_error_messages = {"invalid": _("Use true or false (or give the flag alone).")}

    def to_python(self, value: Any) -> bool | None:
        if value is None:
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class PresenceFlagFilter(django_filters.Filter):
    field_class = PresenceFlagField


class LocalDateField(forms.Field):
    """`today` or a calendar date, YYYY-MM-DD."""

    default_error_messages = {
        "invalid": _("Use today or a date written YYYY-MM-DD."),
        "out_of_range": _("Use a date between %(earliest)s and %(latest)s."),
    }

    def to_python(self, value: Any) -> str | dt.date | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text == "today":
            return text
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": EARLIEST, "latest": LATEST},
            )
        return day


class LocalDateFilter(django_filters.Filter):
    field_class = LocalDateField


class StudyScopedFilterSet(django_filters.FilterSet):
    """Base for filters whose rows can be narrowed to one study with `?study=<uuid>`."""

    study_lookup = "study_id"

    study = django_filters.UUIDFilter(
        method="filter_study", label=_("Only rows of this study (its UUID).")
    )

    def filter_study(self, queryset: QuerySet[Any], name: str, value: uuid.UUID) -> QuerySet[Any]:
        return queryset.filter(**{self.study_lookup: value})


class HouseholdFilter(StudyScopedFilterSet):
    def filter_study(
        self, queryset: QuerySet[Household], name: str, value: uuid.UUID
    ) -> QuerySet[Household]:
        # A household can sit in several panels: naming a study the user is not on must
        # not reveal which of the households they see are in it too.
        studies = access.studies_for_user(self.request.user).filter(pk=value)
        return queryset.filter(enrolments__study__in=studies)

    class Meta:
        model = Household
        fields = ["study"]


class RoundFilter(StudyScopedFilterSet):
    class Meta:
        model = Round
        fields = ["study"]


class VisitFilter(StudyScopedFilterSet):
    study_lookup = "round__study_id"

    mine = PresenceFlagFilter(
        method="filter_mine", label=_("Only your own visits; `?mine` alone means true.")
    )
    date = LocalDateFilter(
        method="filter_date",
        label=_("Visits starting on this day in your own time zone: today or YYYY-MM-DD."),
    )
    round = django_filters.UUIDFilter(field_name="round_id", label=_("A round's UUID."))
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)
    researcher = django_filters.CharFilter(
        field_name="researcher__username", label=_("A researcher's username.")
    )

    class Meta:
        model = Visit
        fields = ["mine", "date", "study", "round", "status", "researcher"]

    def filter_mine(self, queryset: QuerySet[Visit], name: str, value: bool) -> QuerySet[Visit]:
        return queryset.filter(researcher=self.request.user) if value else queryset

    def filter_date(
        self, queryset: QuerySet[Visit], name: str, value: str | dt.date
    ) -> QuerySet[Visit]:
        zone = zone_or_utc(self.request.user.time_zone)
        day = timezone.now().astimezone(zone).date() if value == "today" else value
        start, end = local_day_bounds(day, zone)
        return queryset.filter(scheduled_start__gte=start, scheduled_start__lt=end)
