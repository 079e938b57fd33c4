"""JSON-encoded settings kept in the ``setting`` table."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from aniworld.models import Setting

Record = TypeVar("Record")


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """Return the decoded value stored under ``key``, or ``default`` when unset."""
    row = session.get(Setting, key)
    return default if row is None else json.loads(row.value)


def set_setting(session: Session, key: str, value: Any) -> None:
    """Store ``value`` (anything JSON can encode) under ``key``; raises ``TypeError`` otherwise."""
    encoded = json.dumps(value, sort_keys=True)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    elif row.value != encoded:
        # Only a real change bumps updated_at, which feeds the queue's version fingerprint.
        row.value = encoded
    session.flush()


def get_record(session: Session, key: str, kind: type[Record]) -> Record:
    """The dataclass ``kind`` stored under ``key`` (defaults when unset).

    Fields a newer or older version stored but ``kind`` lacks are ignored, so a status
    written before an upgrade still loads.
    """
    data = get_setting(session, key, {}) or {}
    names = {field.name for field in fields(kind)}  # type: ignore[arg-type]
    return kind(**{name: value for name, value in data.items() if name in names})


def set_record(session: Session, key: str, record: Record) -> Record:
    """Store the dataclass ``record`` under ``key`` and return it (no commit)."""
    set_setting(session, key, asdict(record))  # type: ignore[call-overload]
    return record
