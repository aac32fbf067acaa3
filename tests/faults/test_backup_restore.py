"""The backup and restore drill (README, "Backup and restore"): `manage.py backup DIR` of a
database with applications and decision letters, `manage.py restore DIR` into an empty database
and an empty media folder, and every application, letter file and SHA-256 is found there."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from admissions.applications.models import Application
from admissions.rounds.models import DecisionLetter
from admissions.rounds.services.letters import letter_create
from tests.admissions.letters_support import decided_application
from tests.conftest import need_service
from tests.faults.servers import ROOT
from tests.test_celery import _database_url_for_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database beside the test's, dropped afterwards; its URL."""
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) is needed for the backup and restore drill")
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = _database_url_for_worker(tmp_path).rsplit("/", 1)[0] + f"/{name}"
    yield url
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_every_letter_and_its_sha256(
    region, media, empty_database, tmp_path
):
    first = decided_application(region)
    for decided in [first, *(decided_application(region, round=first.round) for _ in range(3))]:
        letter_create(round=decided.round, application=decided.application)
    applications = sorted(Application.objects.values_list("pk", "reference", "last_name"))
    letters = sorted(DecisionLetter.objects.values_list("pk", "application_id", "file", "sha256"))
    assert len(letters) == 4

    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    assert folder.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == {
        file: sha256 for _, _, file, sha256 in letters
    }
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))

    restored_media = tmp_path / "restored-media"
    env = {**os.environ, "DATABASE_URL": empty_database, "PRIVATE_MEDIA_ROOT": str(restored_media)}
    restore = [sys.executable, "manage.py", "restore", str(folder)]
    result = subprocess.run(restore, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "4 private files" in result.stdout

    with psycopg.connect(empty_database.replace("postgres://", "postgresql://")) as restored:
        assert (
            sorted(
                restored.execute(
                    "SELECT id, reference, last_name FROM admissions_application"
                ).fetchall()
            )
            == applications
        )
        assert (
            sorted(
                restored.execute(
                    "SELECT id, application_id, file, sha256 FROM admissions_decisionletter"
                ).fetchall()
            )
            == letters
        )
    for _, _, file, sha256 in letters:
        assert hashlib.sha256((restored_media / file).read_bytes()).hexdigest() == sha256

    # A second restore is refused: the database is no longer empty.
    again = subprocess.run(restore, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_a_backup_whose_files_do_not_match_the_manifest_is_refused(
    region, media, empty_database, tmp_path
):
    decided = decided_application(region)
    letter_create(round=decided.round, application=decided.application)
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    with (folder / "private-media.tar").open("ab") as tar:
        tar.write(b"\0" * 512)

    env = {**os.environ, "DATABASE_URL": empty_database, "PRIVATE_MEDIA_ROOT": str(tmp_path / "m")}
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "does not match its SHA-256" in result.stderr
    assert not Path(tmp_path / "m").exists()
