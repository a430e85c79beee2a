"""Input serializers validate a request's shape; output serializers render results.

They hold no business rules (those live in studies.synthesis.services). Objects are
named by UUID; households appear as their pseudonym code and segment, never a name.
"""

from studies.synthesis.api.serializers.boards import *  # noqa: F403
from studies.synthesis.api.serializers.insights import *  # noqa: F403
from studies.synthesis.api.serializers.observations import *  # noqa: F403
from studies.synthesis.api.serializers.quotes import *  # noqa: F403
from studies.synthesis.api.serializers.rules import *  # noqa: F403
from studies.synthesis.api.serializers.shared import *  # noqa: F403
from studies.synthesis.api.serializers.tags import *  # noqa: F403
from studies.synthesis.api.serializers.webhooks import *  # noqa: F403
