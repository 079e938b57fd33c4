"""Row ids in URLs and forms, bounded to what every supported database can hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# The id columns are INTEGER: 32 bits on PostgreSQL, 64 on SQLite. A larger id names no row,
# so it must never reach the database, which would raise (OverflowError, NumericValueOutOfRange)
# and turn a typo into a 500.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """The ``<int:…>`` converter, refusing numbers above :data:`MAX_ID` (the route 404s)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
