"""Input serializers validate a request's shape; output serializers render results.

They never hold business rules: those live in studies.scheduling.services. Users are
referenced by username and objects by UUID, never by sequential ids.
"""

from studies.scheduling.api.serializers.households import *  # noqa: F403
from studies.scheduling.api.serializers.me import *  # noqa: F403
from studies.scheduling.api.serializers.rounds import *  # noqa: F403
from studies.scheduling.api.serializers.shared import *  # noqa: F403
from studies.scheduling.api.serializers.studies import *  # noqa: F403
from studies.scheduling.api.serializers.visits import *  # noqa: F403
