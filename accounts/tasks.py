"""Celery tasks of accounts."""

from celery import shared_task
from django.db import connection


# A probe, not a use case: it writes nothing, so it has no service to call (DESIGN rule 4).
@shared_task(time_limit=60, soft_time_limit=30)
def healthcheck() -> dict[str, object]:
    """Prove that a worker runs, imports the project and reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": connection.vendor, "ok": one == 1}


@shared_task
def outbox_resend() -> int:
    """Tasks whose sending failed (the broker was down) are sent again."""
    from accounts import outbox

    return outbox.resend()
