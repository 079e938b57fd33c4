"""Database fixtures for these tests (see tests/db_fixtures.py)."""

from tests.db_fixtures import (  # noqa: F401
    db_url,
    engine,
    make_series,
    postgres_user,
    session,
    session_factory,
)
