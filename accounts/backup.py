"""Backup and restore of an installation: the PostgreSQL database (pg_dump's custom format) and
the private media (uploads, letters, certificates) as a tar, with a manifest of SHA-256s.

Both hold personal data: the folder is made readable by its owner only. See README, "Backup and
restore".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

DATABASE_FILE = "database.dump"
MEDIA_FILE = "private-media.tar"
MANIFEST_FILE = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the default database: the password never on a command line."""
    if connection.vendor != "postgresql":
        raise BackupError("backup and restore need PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def _media_files(root: Path) -> dict[str, dict]:
    files = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            files[name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    return files


def backup(folder: Path) -> dict:
    """Write database.dump, private-media.tar and manifest.json into `folder` (new or empty)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty")
    os.chmod(folder, 0o700)
    old_umask = os.umask(0o077)
    try:
        database = folder / DATABASE_FILE
        result = subprocess.run(  # noqa: S603
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "-f", database],
            env=_pg_environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        media_root = Path(settings.MEDIA_ROOT)
        files = _media_files(media_root)
        media = folder / MEDIA_FILE
        with tarfile.open(media, "w") as tar:
            for name in files:
                tar.add(media_root / name, arcname=name, recursive=False)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"file": DATABASE_FILE, "sha256": sha256_of(database)},
            "media": {"file": MEDIA_FILE, "sha256": sha256_of(media), "files": files},
        }
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    finally:
        os.umask(old_umask)
    return manifest


def _checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"no {MANIFEST_FILE} in {folder}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for part in ("database", "media"):
        path = folder / manifest[part]["file"]
        if not path.exists() or sha256_of(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path.name} is missing or does not match its SHA-256")
    return manifest


def restore(folder: Path) -> dict:
    """Restore a backup into an empty database and an empty private media folder, then check
    every file against the manifest's SHA-256. Refuses anything that is not empty."""
    manifest = _checked_manifest(folder)
    env = _pg_environment()
    if connection.introspection.table_names():
        raise BackupError(
            f"the database {env['PGDATABASE']} is not empty; restore needs an empty one"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(f"{media_root} is not empty; restore needs an empty media folder")
    connection.close()
    result = subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            env["PGDATABASE"],
            folder / manifest["database"]["file"],
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    media_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tarfile.open(folder / manifest["media"]["file"]) as tar:
        # The "data" filter refuses absolute names, links and names that leave the folder.
        tar.extractall(media_root, filter="data")
    restored = _media_files(media_root)
    expected = manifest["media"]["files"]
    wrong = sorted(name for name in expected if restored.get(name) != expected[name])
    if wrong or set(restored) != set(expected):
        raise BackupError(f"{len(wrong)} restored files do not match the manifest")
    return manifest
