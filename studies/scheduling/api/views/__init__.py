"""The scheduling API: validate with an input serializer, call a service, render the result.

Objects in the URL are reached through studies.scheduling.access (404 for outsiders, 403
for members whose role lacks the capability). Objects named in a request body that the
user cannot see are a 400 on that field: the body is what is wrong, not the URL.
"""

from studies.scheduling.api.views.households import *  # noqa: F403
from studies.scheduling.api.views.me import *  # noqa: F403
from studies.scheduling.api.views.rounds import *  # noqa: F403
from studies.scheduling.api.views.studies import *  # noqa: F403
from studies.scheduling.api.views.visits import *  # noqa: F403
