"""The one way to declare a setting, and the one loader that reads it.

A settings class is a frozen dataclass; each field is declared with `setting()`:
its type (the annotation), default, one-line doc, and bounds, choices or a parse
function. `read_section()` reads a TOML table into such a class, and raises the one
ConfigError, whose message is one line naming the key. What one field cannot say
alone (one value against another) goes in the class's `check()` method, which the
loader calls last. The machinery is apart from what the sections mean (bot.config).
"""

from __future__ import annotations

import dataclasses
import re
import stat
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import ConfigError

T = TypeVar("T")


# The default of a setting that has none: the loader says "this key is required".
REQUIRED: Any = dataclasses.MISSING

# A parse function turns the TOML value into the field's value, or raises ConfigError;
# it gets the key ("feeds[0].every") to name in its message.
Parse = Callable[[Any, str], Any]


def setting(
    default: Any,
    doc: str,
    *,
    low: float | None = None,
    above: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] = (),
    parse: Parse | None = None,
    secret: bool = False,
) -> Any:
    """One setting. `low` and `high` are inclusive bounds, `above` an exclusive lower
    bound; `choices` the only values allowed; `parse` runs on the TOML value before
    the type check; a `secret` never shows in a repr. A list default is given as a tuple,
    a table's as a MappingProxyType; a key without a default has REQUIRED (and comes
    before those with one)."""
    metadata = {"doc": doc, "low": low, "above": above, "high": high, "choices": choices}
    metadata["parse"] = parse
    if default is not REQUIRED and type(default).__hash__ is None:
        # A read-only table (MappingProxyType): dataclasses refuse it as a plain default.
        return dataclasses.field(
            default_factory=lambda: default, repr=not secret, metadata=metadata
        )
    return dataclasses.field(default=default, repr=not secret, metadata=metadata)


def read_section(cls: type[T], table: Any, section: str, **given: Any) -> T:
    """Build a settings class from a TOML table: every key known, every value of its
    type and within its bounds, then the class's own `check()`. `given`: values the
    loader sets itself (from the environment, another section), checked the same way."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{section}: expected a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in {**table, **given}.items():
        if key not in fields:
            raise ConfigError(f"{section}.{key}: unknown key (known: {', '.join(sorted(fields))})")
        values[key] = _read_value(fields[key], hints[key], value, f"{section}.{key}")
    missing = [name for name, f in fields.items() if _required(f) and name not in values]
    if missing:
        raise ConfigError(f"{section}.{missing[0]}: this key is required")
    settings = cls(**values)
    check = getattr(settings, "check", None)
    if check is not None:
        check()
    return settings


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _read_value(f: dataclasses.Field, annotation: Any, value: Any, key: str) -> Any:
    if f.metadata.get("parse"):
        value = f.metadata["parse"](value, key)
    if dataclasses.is_dataclass(annotation) and isinstance(value, Mapping):
        return read_section(annotation, value, key)  # a sub-table: [quality.severity]
    value = _check_type(value, annotation, key)
    if f.metadata.get("choices") and value not in f.metadata["choices"]:
        allowed = " or ".join(map(repr, f.metadata["choices"]))
        raise ConfigError(f"{key}: {value!r} is not supported (only {allowed})")
    if isinstance(value, int | float) and not isinstance(value, bool):
        problem = _out_of_bounds(value, f.metadata.get("low"), f.metadata.get("above"),
                                 f.metadata.get("high"))
        if problem:
            raise ConfigError(f"{key}: {problem}")
    return value


def _out_of_bounds(
    value: float, low: float | None, above: float | None, high: float | None
) -> str | None:
    """Values outside break things quietly, so they are refused."""
    too_low = (low is not None and value < low) or (above is not None and value <= above)
    if not too_low and (high is None or value <= high):
        return None
    value = int(value) if float(value).is_integer() else value  # 120, as written, not 120.0
    if high is None:
        return f"{value} is below {low}" if low is not None else f"{value} is not above {above}"
    if above is not None:
        return f"{value} is out of range (above {above}, at most {high})"
    if low is None:
        return f"{value} is above {high}"
    return f"{value} is out of range ({low} to {high})"


def _check_type(value: Any, annotation: Any, key: str) -> Any:
    """Accept value when it fits the annotation (str, int, float, bool, tuple, X | None)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _check_type(value, option, key)
            except ConfigError:
                pass
        raise ConfigError(f"{key}: expected {' or '.join(_type_name(o) for o in options)}")
    if origin is Mapping:  # a table its parse function has already read
        if not isinstance(value, Mapping):
            raise ConfigError(f"{key}: expected a table")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{key}: expected a list")
        (inner, *_) = typing.get_args(annotation) or (Any,)
        return tuple(_check_type(v, inner, f"{key}[{i}]") for i, v in enumerate(value))
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is Any or (isinstance(annotation, type) and _fits(value, annotation)):
        return value
    raise ConfigError(f"{key}: expected {_type_name(annotation)}, got {value!r}")


def _fits(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _type_name(annotation: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


# --- parse functions shared by several sections -------------------------------------------

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


def lower_case(value: Any, key: str) -> Any:
    """Domains and codes compare in lower case: a list of strings, each stripped and lowered."""
    if isinstance(value, list | tuple):
        return tuple(v.strip().lower() if isinstance(v, str) else v for v in value)
    return value


def read_secret_file(path: Path, key: str) -> str:
    """A secret file must be readable by its owner only, like an SSH key."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise ConfigError(f"{key}: cannot read {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{key}: {path} is readable by others; run chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()
