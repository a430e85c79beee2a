"""Celery tasks of synthesis: thin, taking ids and calling a service.

Webhook retries are the sweeper's job, not Celery's: a failed attempt records when the next
one is due (with back-off) in the delivery row, and `retry_due_deliveries` sends what is due
every minute. The schedule then survives a lost broker message or worker, shows in the
delivery log, and an inline (eager) run never retries inside a user's request. With no
broker, `deliver_webhook` is not run inline either: the webhooks service hands it to a thread
that runs after the response (services/webhooks/sending.py).
"""

from celery import shared_task

from studies.synthesis.models import WebhookDelivery
from studies.synthesis.services import webhooks


@shared_task(
    name="synthesis.deliver_webhook",
    # Acknowledged once done; a redelivered message finds the delivery claimed or done.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=25,
    time_limit=30,
    ignore_result=True,
)
def deliver_webhook(delivery_id: str) -> None:
    """One attempt at one delivery (the first, or one asked for from the admin)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        webhooks.delivery_send(delivery=delivery)


@shared_task(
    name="synthesis.retry_due_deliveries", soft_time_limit=90, time_limit=110, ignore_result=True
)
def retry_due_deliveries() -> int:
    """Send the deliveries whose next attempt is due (every minute, a bounded batch)."""
    return webhooks.deliveries_send_due()
