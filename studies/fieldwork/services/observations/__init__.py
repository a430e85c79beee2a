"""Capture sync: every write of an observation, sent by devices as batches of operations.

Exactly once. An operation is remembered by its operation_id (SyncOperation), so a replay
is answered `duplicate`, with the observation as it now stands, and changes nothing.
Rejections are not remembered: they changed nothing, and the same operation may succeed
once its cause is gone (a delete sent before its capture, say). An observation is unique by its
device_id, so the same capture sent twice, even by two requests at the same instant, makes
one row: the loser of the race meets the unique index, rolls back its own item only and
takes the replay or edit path. Each operation runs in its own savepoint, in the order
sent, so a bad item is reported and the good ones around it are stored.

Offline edits, last write wins by `edited_at` (the device time of each version):
- an incoming version older than the server's is not applied: the server's version is
  kept and a SyncConflict(incoming_ignored) records what was sent;
- a same-time or newer version is applied. When the version it replaces was last written
  by someone else (a lead's correction, typically), the device cannot have seen that edit,
  so the overwrite is recorded as SyncConflict(incoming_applied).
Deletes leave a tombstone (deleted_at) under the same rule; a newer upsert revives one.
An edited_at more than CLOCK_GRACE ahead of the server's clock is recorded at the server's
time instead, and the answer says so (`clamped`): a phone set hours fast cannot make its
version win over every real edit of those hours (policies.edit_time_kept). A capture time
is held to its visit's days and the server's clock (policies.captured_at_refusal).
Without a "base version" from the client this is the simplest rule that never drops an
edit silently: each conflict row keeps both versions for a person to look at.
"""

from studies.fieldwork.services.observations.sync import observation_sync
from studies.fieldwork.services.observations.types import (
    MAX_OPERATIONS,
    MAX_SPEAKER_LENGTH,
    ObservationDelete,
    ObservationUpsert,
    Operation,
    SyncOperationType,
    SyncResult,
    SyncStatus,
    UnreadableOperation,
)

__all__ = [
    "MAX_OPERATIONS",
    "MAX_SPEAKER_LENGTH",
    "ObservationDelete",
    "ObservationUpsert",
    "Operation",
    "SyncOperationType",
    "SyncResult",
    "SyncStatus",
    "UnreadableOperation",
    "observation_sync",
]
