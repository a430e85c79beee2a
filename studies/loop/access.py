"""The only way views and pages reach a pressure test: through its insight's access
function (studies.synthesis.access), so it is exactly as visible as the insight. Outsiders
get a 404 as for a missing insight; members whose role lacks the capability, a 403."""

from django.http import Http404
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.common.roles import Capability
from studies.loop.models import PressureTest
from studies.loop.selectors.pressure import pressure_test_of
from studies.synthesis.access import insight_get_for_user


class NotPutUp(Http404):
    """The insight is the user's to see, but nobody has put it up for a pressure test."""


def not_put_up_message() -> str:
    return _("This insight has not been put up for a pressure test.")


def pressure_test_get_for_user(
    *, user: User, insight_id: object, capability: str = Capability.VIEW_STUDY
) -> PressureTest:
    """The insight's test; `test.insight.study.viewer_role` is the user's role."""
    insight = insight_get_for_user(user=user, insight_id=insight_id, capability=capability)
    test = pressure_test_of(insight)
    if test is None:
        raise NotPutUp(not_put_up_message())
    return test
