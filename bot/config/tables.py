"""Reading TOML tables into settings dataclasses: every error names its key.

The machinery behind bot.config, apart from what the sections mean: type checks
against the dataclass annotations, intervals such as "15m", and secret files
whose permissions are checked.
"""

from __future__ import annotations

import dataclasses
import re
import stat
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import ConfigError

T = TypeVar("T")


_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str | int, key: str) -> int:
    """'15m' -> 900. A bare number is seconds."""
    if isinstance(text, int) and not isinstance(text, bool):
        seconds = text
    else:
        match = _INTERVAL.match(str(text))
        if not match:
            raise ConfigError(f"{key}: '{text}' is not an interval such as 90s, 15m, 2h or 1d")
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 10:
        raise ConfigError(f"{key}: {seconds}s is too short; poll at most every 10 seconds")
    return seconds


def _check_type(value: Any, annotation: Any, key: str) -> Any:
    """Accept value when it fits the annotation (str, int, float, bool, list, X | None)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        for option in options:
            if option is type(None):
                continue
            try:
                return _check_type(value, option, key)
            except ConfigError:
                pass
        raise ConfigError(f"{key}: expected {' or '.join(_type_name(o) for o in options)}")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list")
        (inner, *_) = typing.get_args(annotation) or (Any,)
        return [_check_type(v, inner, f"{key}[{i}]") for i, v in enumerate(value)]
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is Any or (isinstance(annotation, type) and _fits(value, annotation)):
        return value
    raise ConfigError(f"{key}: expected {_type_name(annotation)}, got {value!r}")


def _fits(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _type_name(annotation: Any) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def build_section(cls: type[T], table: Mapping[str, Any], section: str, **extra: Any) -> T:
    """Build a settings dataclass from a TOML table, naming any unknown or ill-typed key."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{section}: expected a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in names:
            raise ConfigError(f"{section}.{key}: unknown key (known: {', '.join(sorted(names))})")
        values[key] = _check_type(value, hints[key], f"{section}.{key}")
    values.update(extra)
    try:
        return cls(**values)
    except TypeError as error:  # a required key is missing
        raise ConfigError(f"{section}: {error}") from None


def read_secret_file(path: Path, key: str) -> str:
    """A secret file must be readable by its owner only, like an SSH key."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise ConfigError(f"{key}: cannot read {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{key}: {path} is readable by others; run chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()
