"""One row mapper: a database row becomes a frozen record dataclass, field by field, by the field's type.

Repositories used to hand-write ``Record(id=int(row["id"]), created_at=from_iso(row["created_at"]),
...)`` for every record; :func:`record_from_row` reads the record's annotations instead, so a new
column is one new field. Conversions, by the field's declared type:

* ``datetime`` from the stored ISO-8601 UTC text (``None`` stays ``None`` for an optional field);
* an enum (``CaseKind``, ``AppealStatus``...) from its stored value;
* ``bool`` from SQLite's 0/1, ``int`` and ``str`` as such;
* ``Mapping[str, Any]`` from stored JSON text.

Columns are matched to fields by name; ``rename`` maps a field to a differently named column.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from primum.runtime.clock import from_iso

T = TypeVar("T")
Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(annotation: Any) -> tuple[Convert, bool]:
    """How to turn a stored value into ``annotation``; and whether ``None`` is allowed."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        annotation = members[0] if len(members) == 1 else Any
    origin = typing.get_origin(annotation) or annotation
    if origin is datetime:
        return from_iso, optional
    if isinstance(origin, type) and issubclass(origin, Enum):
        return origin, optional
    if origin is bool:
        return bool, optional
    if origin in (int, str):
        return origin, optional
    if origin is Mapping or origin is dict:
        return json.loads, optional
    return _identity, True


_PLANS: dict[type[Any], tuple[tuple[str, Convert, bool], ...]] = {}


def _plan(cls: type[Any]) -> tuple[tuple[str, Convert, bool], ...]:
    """Each field's name, converter and optionality, worked out once per record class."""
    plan = _PLANS.get(cls)
    if plan is None:
        if not is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass")
        hints = typing.get_type_hints(cls)
        plan = _PLANS[cls] = tuple((f.name, *_converter(hints[f.name])) for f in fields(cls))
    return plan


def record_from_row(cls: type[T], row: Any, *, rename: Mapping[str, str] | None = None) -> T:
    """Build ``cls`` from ``row`` (an ``aiosqlite.Row`` or a mapping), converting each column by type."""
    columns = rename or {}
    values: dict[str, Any] = {}
    for name, convert, optional in _plan(cls):
        raw = row[columns.get(name, name)]
        values[name] = None if raw is None and optional else convert(raw)
    return cls(**values)
