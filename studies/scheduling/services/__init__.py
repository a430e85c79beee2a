"""Every write of the scheduling app. Views, pages, tasks and commands call these."""

from studies.scheduling.services.calendar import (
    calendar_feed_get_or_create,
    calendar_feed_render,
    calendar_feed_revoke,
    calendar_feed_url,
)
from studies.scheduling.services.reminders import visit_reminders_send
from studies.scheduling.services.rounds import (
    PlanningOutcome,
    guide_replace,
    round_create,
    round_plan,
    round_plan_next,
    round_propose_visits,
    round_update,
    rounds_plan_due,
    study_today,
)
from studies.scheduling.services.studies import (
    consent_give,
    consent_withdraw,
    household_create,
    household_enrol,
    household_unenrol,
    household_update,
    membership_remove,
    membership_set,
    study_create,
    study_update,
)
from studies.scheduling.services.visits import (
    TRANSITIONS,
    availability_set,
    validate_booking,
    visit_create,
    visit_reschedule,
    visit_transition,
)

__all__ = [
    "TRANSITIONS",
    "PlanningOutcome",
    "availability_set",
    "calendar_feed_get_or_create",
    "calendar_feed_render",
    "calendar_feed_revoke",
    "calendar_feed_url",
    "consent_give",
    "consent_withdraw",
    "guide_replace",
    "household_create",
    "household_enrol",
    "household_unenrol",
    "household_update",
    "membership_remove",
    "membership_set",
    "round_create",
    "round_plan",
    "round_plan_next",
    "round_propose_visits",
    "round_update",
    "rounds_plan_due",
    "study_create",
    "study_today",
    "study_update",
    "validate_booking",
    "visit_create",
    "visit_reminders_send",
    "visit_reschedule",
    "visit_transition",
]
