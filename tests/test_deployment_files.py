"""The production-like files (docker-compose.yml, Dockerfile, .env.example) agree with the
settings they configure, so that a variable added to the settings is documented too."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}
APP_SERVICES = ("web", "worker", "beat")


def _variables_read_by_settings() -> set[str]:
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
        ):
            first = node.args[0]
            assert isinstance(first, ast.Constant), (
                f"line {node.lineno}: name the variable literally"
            )
            names.add(first.value)
    return names


def _variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def _compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_variable_the_settings_read_is_documented_in_env_example():
    read = _variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the reader finds them all

    assert sorted(read - _variables_documented()) == []


def test_every_variable_docker_compose_substitutes_is_documented_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    substituted = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert "POSTGRES_PASSWORD" in substituted

    assert sorted(substituted - _variables_documented()) == []


def test_compose_runs_the_five_services_from_one_image():
    services = _compose()["services"]

    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    builds = {(services[name].get("build"), services[name].get("image")) for name in APP_SERVICES}
    assert len(builds) == 1
    assert None not in next(iter(builds))


def test_compose_wires_the_app_services_to_postgres_and_redis():
    services = _compose()["services"]

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert "@postgres:5432/" in environment["DATABASE_URL"], name
        assert environment["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert environment["STATIC_MANIFEST"] == "1", name
        assert {"postgres", "redis"} <= set(services[name]["depends_on"]), name
    assert "healthcheck" in services["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])


def test_compose_keeps_state_on_volumes():
    compose = _compose()
    services = compose["services"]
    named_volumes = set(compose["volumes"])

    def mounts(name: str) -> dict[str, str]:
        return dict(v.split(":", 1)[::-1] for v in services[name].get("volumes", []))

    media_root = services["web"]["environment"]["PRIVATE_MEDIA_ROOT"]
    for name in ("web", "worker"):  # the worker writes the decision letters
        assert mounts(name).get(media_root) in named_volumes, name
    schedule = re.search(r"-s (\S+)", services["beat"]["command"]).group(1)
    assert str(Path(schedule).parent) in mounts("beat")


def test_compose_commands_start_each_process():
    services = _compose()["services"]

    assert "migrate --no-input" in services["web"]["command"]
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert "--workers" in services["web"]["command"]
    worker = services["worker"]["command"]
    assert worker.startswith("celery -A config worker")
    assert "-O fair" in worker
    assert "--max-tasks-per-child" in worker
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_the_image_installs_the_locked_runtime_with_the_same_uv_as_dev_py():
    dockerfile = (ROOT / "Dockerfile").read_text()
    dev_uv = re.search(r'UV_VERSION = "([^"]+)"', (ROOT / "dev.py").read_text()).group(1)

    assert "FROM python:3.11-slim" in dockerfile
    assert f"uv=={dev_uv}" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic --no-input" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, flags=re.MULTILINE)


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".env", ".git", ".venv", "var"} <= ignored


def test_the_access_log_leaves_out_query_strings():
    """Search forms and the certificate check send identity numbers and codes as GET
    parameters; gunicorn's default access log line (%(r)s) would record them."""
    command = _compose()["services"]["web"]["command"]
    config_path = re.search(r"--config (\S+)", command).group(1)
    settings = {}
    exec((ROOT / config_path).read_text(), settings)

    log_format = settings["access_log_format"]
    assert settings["accesslog"] == "-"
    assert "%(U)s" in log_format
    for with_query in ("%(r)s", "%(q)s", "%(f)s"):
        assert with_query not in log_format
