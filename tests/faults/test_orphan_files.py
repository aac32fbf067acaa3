"""Private files no row names (left by a process killed between storing a file and committing
its row) are removed once older than the grace period; files rows name are never touched."""

import datetime as dt
import os
import time

from admissions.files.stored import ORPHAN_GRACE, orphans_remove
from admissions.rounds.services.letters import letter_create
from admissions.tasks import private_files_sweep
from tests.admissions.letters_support import decided_application, letters_media  # noqa: F401

HOUR = 3600


def test_old_files_no_row_names_go_and_named_or_young_files_stay(region, letters_media):  # noqa: F811
    decided = decided_application(region)
    letter = letter_create(round=decided.round, application=decided.application)
    named = letters_media / letter.file.name
    old_orphan = letters_media / "letters" / str(region.pk) / "half-written.pdf"
    young_orphan = letters_media / "documents" / "x" / "just-stored"
    for path in (old_orphan, young_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 half")
    long_ago = time.time() - ORPHAN_GRACE.total_seconds() - HOUR
    os.utime(old_orphan, (long_ago, long_ago))
    os.utime(named, (long_ago, long_ago))

    assert private_files_sweep.delay().get() == 1

    assert not old_orphan.exists()
    assert young_orphan.exists()
    assert named.exists()
    assert orphans_remove() == []
    assert orphans_remove(older_than=dt.timedelta(0)) == ["documents/x/just-stored"]
    assert named.exists()
