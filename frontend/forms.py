"""Page forms. They check the shape of what was typed; the services decide the rules."""

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from studies.common.models import User
from studies.scheduling.models import Availability

# Service error keys and the page field a person should look at for each of them.
RESCHEDULE_FIELD_FOR_ERROR = {
    "scheduled_start": "start_time",
    "scheduled_end": "start_time",
    "researcher": "researcher",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class ResearcherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class VisitRescheduleForm(forms.Form):
    """Move a visit (date and start, in the study's zone) and/or hand it to someone else."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    researcher = ResearcherChoiceField(
        label=_("Researcher"), queryset=User.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("Note for the history (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, researchers: QuerySet[User], time_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = researchers
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.fields["start_time"].help_text = _("Local time in %(zone)s.") % {"zone": time_zone}

    def start(self) -> dt.datetime:
        """The typed wall-clock time in the study's zone, as an aware datetime."""
        return dt.datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["start_time"], tzinfo=self.zone
        )

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(RESCHEDULE_FIELD_FOR_ERROR.get(key), messages)


class AvailabilityWindowForm(forms.Form):
    """One weekly window. A row left blank, or marked for removal, is ignored."""

    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", "—"), *Availability.Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    start_time = forms.TimeField(label=_("From"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("To"), required=False, widget=TimeInput())
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = [data.get("weekday"), data.get("start_time"), data.get("end_time")]
        if data.get("remove") or all(value is None for value in values):
            data["window"] = None
            return data
        for name in ("weekday", "start_time", "end_time"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Fill in the day, start and end, or leave the row empty."))
        if self.errors:
            return data
        if data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The window must end after it starts."))
            return data
        data["window"] = (data["weekday"], data["start_time"], data["end_time"])
        return data


class BaseAvailabilityFormSet(forms.BaseFormSet):
    def windows(self) -> list[tuple[int, tuple[int, dt.time, dt.time]]]:
        """(form index, window) for every row that holds a window."""
        return [
            (index, form.cleaned_data["window"])
            for index, form in enumerate(self.forms)
            if form.cleaned_data.get("window") is not None
        ]


AvailabilityFormSet = forms.formset_factory(
    AvailabilityWindowForm, formset=BaseAvailabilityFormSet, extra=2, max_num=21, validate_max=True
)
