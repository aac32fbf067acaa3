"""Region data files: regions/<slug>.json, one section per app.

A file looks like {"format_version": 1, "version": "2026-11-01", "accounts": {...},
"yrkescenter": {...}, ...}. accounts reads its own section (the region itself); every other
installed app may contribute a section by having a module `<app>/region_data.py` with

    def load(*, region, section: dict, acting_user) -> int   # number of rows created or changed

so that later apps (validation, industriradet) add their reference data without accounts
importing them. A loader raises RegionDataError, with a one-line message, on bad data.
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

FORMAT_VERSION = 1
HEADER_KEYS = frozenset({"format_version", "version", "description"})


class RegionDataError(ValueError):
    """The region data is wrong; the message names the place and the problem in one line."""


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
