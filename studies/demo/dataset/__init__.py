"""A large, realistic dataset for benchmarks and load tests: `manage.py generate_dataset`.

Unlike the demo workspace (seed.py), which goes through the services one row at a time,
this builds tens of thousands of rows with bulk inserts, so the full size (2,000
households, 100,000 observations, 10,000 insights, 20,000 photos) takes minutes, not hours.
It writes what the services would have written, and nothing they would refuse: consent
before photos, one visit per household per round, evidence from the insight's own study,
denormalised insight counts that match a recount. Routing goes through the real service.

Everything is drawn from one seeded random generator, ids included (but for the cards and
events routing makes), so the same seed gives the same rows on the same day. Dates are
anchored on the current quarter: rounds are the quarters before it, so on another day the
dates move with the calendar. The stages (team, households, fieldwork, synthesis) run in a
fixed order and share that generator, so reordering them, or the draws inside them, changes
every row that follows.
"""

from studies.demo.dataset.generate import dataset_generate
from studies.demo.dataset.reset import database_has_data, dataset_reset, webhooks_listening
from studies.demo.dataset.size import DatasetSize, DatasetSummary

__all__ = [
    "DatasetSize",
    "DatasetSummary",
    "database_has_data",
    "dataset_generate",
    "dataset_reset",
    "webhooks_listening",
]
