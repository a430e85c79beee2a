"""The synthesis API: validate with an input serializer, call a service, render the result.

Objects in the URL are reached through the access functions (404 for outsiders, 403 for
members whose role lacks the capability). Objects named in a request body that the user
cannot see are a 400 on that field: the body is what is wrong, not the URL.
"""

from studies.synthesis.api.views.boards import *  # noqa: F403
from studies.synthesis.api.views.insights import *  # noqa: F403
from studies.synthesis.api.views.observations import *  # noqa: F403
from studies.synthesis.api.views.quotes import *  # noqa: F403
from studies.synthesis.api.views.rules import *  # noqa: F403
from studies.synthesis.api.views.tags import *  # noqa: F403
from studies.synthesis.api.views.webhooks import *  # noqa: F403
