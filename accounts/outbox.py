"""The task outbox: a write that wants a Celery task stores the wish in its own transaction
(TaskOutbox), and the task is sent after the commit. If the broker (Redis) cannot be reached the
write is kept, the row says why, and `outbox_resend` (a periodic task, and `manage.py
outbox_resend`) sends it again once the broker is back. Tasks are safe to run twice, so a row
sent twice does no harm."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import TaskOutbox

logger = logging.getLogger(__name__)

# A row younger than this may still be on its way from the request that made it.
RESEND_AFTER = dt.timedelta(seconds=30)


def enqueue_on_commit(task: str, *args) -> TaskOutbox:
    """Store the task (dotted path, JSON arguments) with the caller's transaction; send it after
    the commit."""
    row = TaskOutbox.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: send(row.pk))
    return row


def send(pk: int) -> bool:
    """Hand the row's task to the broker (or run it, in the embedded default). False, with the
    reason kept on the row and logged, when the broker cannot be reached."""
    row = TaskOutbox.objects.get(pk=pk)
    if row.sent_at is not None:
        return True
    try:
        # Nobody waits for an outbox task's result (its work is in the database); asking for
        # one would also make the send depend on the result store.
        import_string(row.task).apply_async(args=row.args, ignore_result=True)
    except BrokerError as error:
        TaskOutbox.objects.filter(pk=pk).update(
            attempts=row.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        logger.warning(
            "task queue unreachable; %s kept in the outbox (row %d) to be sent again",
            row.task,
            pk,
        )
        return False
    TaskOutbox.objects.filter(pk=pk).update(
        sent_at=timezone.now(), attempts=row.attempts + 1, last_error=""
    )
    return True


def is_unsent(row: TaskOutbox) -> bool:
    return TaskOutbox.objects.filter(pk=row.pk, sent_at__isnull=True).exists()


def resend(*, older_than: dt.timedelta = RESEND_AFTER) -> int:
    """Send every unsent row older than `older_than`; returns how many went. Stops at the first
    row the broker refuses (it is still down): the rest wait for the next run."""
    cutoff = timezone.now() - older_than
    sent = 0
    pks = TaskOutbox.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("pk")
    for pk in pks.values_list("pk", flat=True):
        if not send(pk):
            break
        sent += 1
    if sent:
        logger.info("outbox: %d tasks sent again", sent)
    return sent
