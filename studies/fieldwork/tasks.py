"""Celery entry points of the fieldwork app. Each takes ids, calls a service, and returns."""

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from studies.common.transient import STORAGE_FAULTS
from studies.fieldwork.services import photos, uploads

# Worth another try: storage and database hiccups, a run cut short by its time limit. A
# file that cannot be decoded is not: the service marks that photo failed instead.
TRANSIENT_ERRORS = (*STORAGE_FAULTS, DatabaseError, SoftTimeLimitExceeded)


@shared_task(
    name="fieldwork.process_photo",
    # Acknowledged only once done, and handed out again if the worker dies mid-photo:
    # the service is idempotent and counts attempts, so a redelivery is safe.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=150,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=photos.PHOTO_MAX_ATTEMPTS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    ignore_result=True,
)
def process_photo(photo_id: str) -> str:
    """Clean one photo and make its renditions (queue "photos")."""
    return photos.photo_process(photo_id=photo_id)


@shared_task(
    name="fieldwork.requeue_stuck_photos", time_limit=120, soft_time_limit=100, ignore_result=True
)
def requeue_stuck_photos(older_than_seconds: int = 300) -> int:
    """Send again photos left pending by a lost worker or broker (every 5 minutes)."""
    return photos.photos_requeue_stuck(older_than=dt.timedelta(seconds=older_than_seconds))


@shared_task(
    name="fieldwork.forget_idle_uploads", time_limit=300, soft_time_limit=240, ignore_result=True
)
def forget_idle_uploads() -> int:
    """Forget uploads nothing was sent to for a day, with their chunks (every hour). A run
    cut short leaves the rest for the next one, so it is not retried."""
    return uploads.uploads_forget_idle()
