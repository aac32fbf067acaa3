"""Region data files: regions/<slug>.json, one section per app.

A file looks like {"schema_version": "1.0", "version": "2026-11-01", "accounts": {...},
"yrkescenter": {...}, ...}, and is described by the published JSON Schema
regions/region.schema.json (documented in docs/regions.md). accounts reads its own section (the
region itself); every other installed app may contribute a section by having a module
`<app>/region_data.py` with

    def load(*, region, section: dict, acting_user) -> int   # number of rows created or changed
    def problems(*, data: dict) -> list[str]   # optional: the checks the schema cannot express

so that later apps (validation, industriradet) add their reference data without accounts
importing them. region_file_problems() validates a whole file first, against the schema and
then each app's problems(), and reports every problem with its path; a loader raises
RegionDataError, with a one-line message, on anything left.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

# The schema version this code reads (regions/region.schema.json, its "$id" carries it).
SCHEMA_VERSION = "1.0"
SCHEMA_FILE = "region.schema.json"
HEADER_KEYS = frozenset({"$schema", "schema_version", "version", "description"})


class RegionDataError(ValueError):
    """The region data is wrong; the message names the place and the problem in one line."""


class RegionFileInvalid(RegionDataError):
    """A region file breaks its schema or a cross-field rule: every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def region_file_path(name_or_path: str) -> Path:
    """regions/<name>.json under the project, or the given path when it names a file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".json" or candidate.parent != Path():
        return candidate
    return Path(settings.BASE_DIR) / "regions" / f"{name_or_path}.json"


def region_file_read(name_or_path: str) -> dict[str, Any]:
    path = region_file_path(name_or_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RegionDataError(f"No region file at {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise RegionDataError(f"Cannot read {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise RegionDataError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    if not isinstance(data, dict):
        raise RegionDataError(f"{path} must hold a JSON object with one section per app")
    return data


SectionLoader = Callable[..., int]


def region_schema() -> dict[str, Any]:
    path = Path(settings.BASE_DIR) / "regions" / SCHEMA_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def region_file_problems(data: Any) -> list[str]:
    """Every problem of a region file, each as "path: what is wrong": first the schema's, then
    (on a file the schema accepts) each installed app's cross-field checks. [] when it is fine."""
    schema = region_schema()
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = _unique_in_order(problem for error in errors for problem in _schema_problems(error))
    if problems:
        return problems
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.region_data"
        if app_config.label == "accounts" or importlib.util.find_spec(module_name) is None:
            continue
        check = getattr(importlib.import_module(module_name), "problems", None)
        if check is not None and app_config.label in data:
            problems.extend(check(data=data))
    return problems


def path_text(parts) -> str:
    """("yrkescenter", "centres", 2, "code") -> yrkescenter.centres[2].code"""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "file"


def _unique_in_order(items) -> list[str]:
    return list(dict.fromkeys(items))


_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
}


def _schema_problems(error: SchemaError) -> list[str]:
    where = path_text(error.absolute_path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    described = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    if "propertyNames" in error.schema_path:
        return [f"{where}: the key {instance!r} is not {described or 'allowed here'}"]
    if list(error.absolute_path) == ["schema_version"]:
        return [
            f"schema_version {instance!r} is not supported (this version reads {SCHEMA_VERSION})"
        ]
    if kind == "required":
        return [f"{where} is missing '{key}'" for key in value if key not in instance]
    if kind == "additionalProperties":
        unknown = sorted(set(instance) - set(error.schema.get("properties", {})))
        if not error.absolute_path:
            known = ", ".join(sorted(set(error.schema["properties"]) - HEADER_KEYS))
            return [f"file: unknown section {key!r} (known: {known})" for key in unknown]
        return [f"{where} has unknown key {key!r}" for key in unknown]
    if kind == "type":
        kinds = [value] if isinstance(value, str) else value
        return [f"{where} must be {' or '.join(_TYPE_NAMES[k] for k in kinds)}"]
    if kind == "enum":
        return [f"{where}: {instance!r} is not one of {', '.join(map(str, value))}"]
    if kind == "pattern":
        if described:
            return [f"{where}: {instance!r} is not {described}"]
        if value == "\\S":
            return [f"{where} must not be empty"]
        return [f"{where}: {instance!r} is not written as expected (pattern {value})"]
    if kind == "format":
        return [f"{where}: {instance!r} is not a date written YYYY-MM-DD"]
    if kind == "minLength":
        return [f"{where} must not be empty"]
    if kind == "maxLength":
        return [f"{where} is longer than {value} characters"]
    if kind == "minItems":
        return [f"{where} must list at least {value}"]
    if kind == "uniqueItems":
        return [f"{where} lists the same value twice"]
    if kind == "minimum":
        return [f"{where}: {instance!r} is less than {value}"]
    if kind == "maximum":
        return [f"{where}: {instance!r} is more than {value}"]
    if kind == "oneOf":
        if "amount" in error.schema.get(
            "description", ""
        ).lower() or "decimals" in error.schema.get("description", ""):
            return [f"{where}: {instance!r} must be zero or more with at most two decimals"]
        first = [e for e in (error.context or []) if e.schema_path and e.schema_path[0] == 0]
        if first:
            return _schema_problems(first[0])
    return [f"{where}: {error.message}"]


def section_loaders() -> list[tuple[str, SectionLoader]]:
    """(app label, load function) of every installed app with a region_data module, in
    INSTALLED_APPS order, so an app's section is loaded after the sections it builds on."""
    loaders = []
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.region_data"
        if app_config.label == "accounts" or importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        loaders.append((app_config.label, module.load))
    return loaders


@contextmanager
def reported_as(where: str) -> Iterator[None]:
    """Turn a model validation error raised while saving one item into a RegionDataError that
    names the item."""
    try:
        yield
    except ValidationError as error:
        raise RegionDataError(f"{where}: {validation_message(error)}") from error


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


# Small readers shared by the section loaders, so every message has the same shape.


def require(mapping: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if not isinstance(mapping, dict):
        raise RegionDataError(f"{where} must be an object")
    if key not in mapping:
        raise RegionDataError(f"{where} is missing '{key}'")
    value = mapping[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RegionDataError(f"{where}.{key} must be {_kind_name(kind)}")
    if isinstance(value, str) and not value.strip():
        raise RegionDataError(f"{where}.{key} must not be empty")
    return value


def optional(mapping: dict, key: str, where: str, kind: type | tuple[type, ...], default: Any):
    if mapping.get(key) in (None, ""):
        return default
    return require(mapping, key, where, kind)


def require_list(mapping: Any, key: str, where: str) -> list:
    return require(mapping, key, where, list)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", list: "a list", dict: "an object"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
