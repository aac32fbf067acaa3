"""Settings come from the environment; production-like values pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_LIKE = {
    "SECRET_KEY": "x7#kq2!vB9z@Lm4$Wp8^Rt6&Yn3*Hc5(Jd1)Fs0_Ge+Ua-Ib=Oe~Pk;Qj:Sl,Tm.Vn/Xo",
    "ALLOWED_HOSTS": "yrkesporten.example.se",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
    "DJANGO_DEBUG": "0",
}


# Set by the browser tests while Playwright's event loop runs; never part of a deployment.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def _check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_LIKE.keys() | TEST_ONLY}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_like_settings_pass_the_deploy_check():
    result = _check_deploy(PRODUCTION_LIKE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_embedded_default_is_flagged_by_the_deploy_check():
    result = _check_deploy({})
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr  # the embedded default key


def test_embedded_default_runs_tasks_in_process_and_keeps_media_private(settings):
    from config.env import env_str

    if env_str("REDIS_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
    else:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.STORAGES["default"]["OPTIONS"]["location"] == str(settings.MEDIA_ROOT)
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    static_dirs = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    assert not any(settings.MEDIA_ROOT.is_relative_to(d) for d in static_dirs)
