"""The Celery application. Without a broker (the embedded set-up) tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "researchhub.settings")

app = Celery("researchhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
