"""Which visits a user may capture on, decided for a whole sync batch at once.

The rule is scheduling.policies.may_conduct_visit, as scheduling.access.visit_get_for_user
applies it for one visit. A batch of hundreds of items names a handful of visits; reaching
them one by one would cost three queries each, so this answers for all of them in two.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from studies.common.models import User
from studies.common.roles import Capability, Role, role_can
from studies.scheduling import policies
from studies.scheduling.models import StudyMembership, Visit


@dataclass(frozen=True)
class CaptureVisits:
    allowed: dict[uuid.UUID, Visit] = field(default_factory=dict)
    # Visits of the user's studies that are not theirs to capture on: a 403, not a 404.
    forbidden: frozenset[uuid.UUID] = frozenset()
    # Allowed visits in studies the user leads: leads may correct anyone's items.
    led: frozenset[uuid.UUID] = frozenset()

    def may_change(self, *, user: User, visit_id: uuid.UUID, author_id: int) -> bool:
        """Researchers change their own items; leads may change anyone's."""
        return visit_id in self.allowed and (author_id == user.pk or visit_id in self.led)


def capture_visits_for_user(*, user: User, visit_ids: Iterable[uuid.UUID]) -> CaptureVisits:
    """The named visits the user may capture on; ids missing from both sets are unseen."""
    ids = set(visit_ids)
    if not ids or not user.is_authenticated or not user.is_active:
        return CaptureVisits()
    visits = list(Visit.objects.select_related("round__study", "household").filter(pk__in=ids))
    if user.is_superuser:
        roles = {visit.round.study_id: Role.RESEARCH_LEAD for visit in visits}
    else:
        roles = dict(
            StudyMembership.objects.filter(
                user=user, study_id__in={visit.round.study_id for visit in visits}
            ).values_list("study_id", "role")
        )
    allowed: dict[uuid.UUID, Visit] = {}
    forbidden: set[uuid.UUID] = set()
    led: set[uuid.UUID] = set()
    for visit in visits:
        role = roles.get(visit.round.study_id)
        if role is None:
            continue
        if policies.may_conduct_visit(
            role=role, researcher_id=visit.researcher_id, user_id=user.pk
        ):
            allowed[visit.pk] = visit
            if role_can(role, Capability.MANAGE_STUDY):
                led.add(visit.pk)
        else:
            forbidden.add(visit.pk)
    return CaptureVisits(allowed=allowed, forbidden=frozenset(forbidden), led=frozenset(led))
