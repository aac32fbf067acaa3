"""Celery tasks of admissions. Thin: ids in, one service call, safe to run twice (a round
locks its row and checks its status; a letter is keyed by round and application)."""

from celery import shared_task

from admissions.files import stored as stored_files
from admissions.rounds.services import letters, rounds


@shared_task
def round_run(round_id: int) -> bool:
    return rounds.round_run(round_id=round_id)


@shared_task
def offers_expire() -> int:
    return rounds.offers_expire()


@shared_task
def letter_generate(round_id: int, application_id: int) -> int:
    """One decision letter; safe to run twice, even at once (keyed by round and application)."""
    return letters.letter_generate_for(round_id=round_id, application_id=application_id).pk


@shared_task
def private_files_sweep() -> int:
    """Private files that no row names (left by a process killed mid-write) are removed once
    they are older than stored_files.ORPHAN_GRACE. Safe to run any number of times."""
    return len(stored_files.orphans_remove())
