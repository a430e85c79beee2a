"""Faults that pass: a dependency that is restarting or out of reach for a moment.

The database restarting (or a connection it dropped), the broker or the cache unreachable,
media storage refusing a write (a full disk, an object store out of reach):
the request could not be served now, and the same request a few seconds later will be. Such
a fault answers 503 with Retry-After — in the API's one error shape under `service`, as a
short "busy" page elsewhere — so clients and monitoring can tell it from a bug, which still
answers 500. Nothing is half-written: the request's transaction did not commit.
"""

from botocore.exceptions import ConnectionError as ObjectStorageUnreachable
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimeout

# What media storage raises when it cannot take a write: the disk is full or read-only, an
# object store is out of reach.
STORAGE_FAULTS = (OSError, ObjectStorageUnreachable)


class StorageUnavailable(OSError):
    """Media storage could not take a write just now (caught from STORAGE_FAULTS by the
    service that wrote). An OSError, so the tasks that retry storage errors retry it too."""


# Seconds a client is asked to wait before trying again: a restart takes a few.
RETRY_AFTER_SECONDS = 5

# SQLite reports a schema that does not match the code (a migration not run) as an
# operational error too: that is a bug to see, not a moment to wait out.
_NOT_TRANSIENT_PREFIXES = ("no such table", "no such column", "no such function")


def is_transient(exc: BaseException | None) -> bool:
    """Whether `exc` is a dependency briefly out of reach rather than a fault of the code."""
    if isinstance(
        exc,
        InterfaceError | BrokerUnreachable | RedisUnreachable | RedisTimeout | StorageUnavailable,
    ):
        return True
    if isinstance(exc, OperationalError):
        return not str(exc).lower().startswith(_NOT_TRANSIENT_PREFIXES)
    return False


def busy_message() -> str:
    return _("ResearchHub is busy for a moment. Nothing was saved; try again in a few seconds.")
