#!/usr/bin/env python3
"""Set up and run Yrkesporten with nothing but Python 3.11+.

    python3 dev.py run     # create .venv, install, migrate, load the demo region, start the server
    python3 dev.py test    # create .venv, install, run the whole test suite (args go to pytest)

uv (installed into .venv from PyPI) installs the exact versions of uv.lock.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
UV_VERSION = "0.13.9"


def sh(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before any venv exists
        sys.exit("Yrkesporten needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        sh(sys.executable, "-m", "venv", VENV)
    if not (BIN / "uv").exists():
        sh(
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"uv=={UV_VERSION}",
        )
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    sh(BIN / "uv", "sync", "--frozen", "--quiet", env=env)


def run() -> None:
    setup()
    (ROOT / "var").mkdir(exist_ok=True)  # the SQLite file and local media live here
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    manage = [PYTHON, "manage.py"]
    sh(*manage, "migrate", "--no-input", "-v", "0", env=env)
    sh(*manage, "load_region", "varmland", env=env)
    sh(*manage, "seed_demo", env=env)
    address = os.environ.get("ADDRESS", "127.0.0.1:8000")
    sh(*manage, "runserver", address, env=env)


def test(args: list[str]) -> None:
    setup()
    sh(PYTHON, "-m", "pytest", *args)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "setup":
        setup()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
