"""JSON-encoded settings kept in the ``setting`` table."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from aniworld.models import Setting


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
