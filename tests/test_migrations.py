"""``flask db upgrade`` builds the schema from empty, matching the models, on both databases."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from aniworld.models import Base
from tests.db_fixtures import POSTGRES_DB, POSTGRES_HOST

ROOT = Path(__file__).resolve().parents[1]


def _flask_db_upgrade(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _schema_differences(url: str, schema: str | None = None) -> list[object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if schema:
                connection.execute(sa.text(f'SET search_path TO "{schema}"'))
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_builds_sqlite_schema_from_empty(tmp_path: Path) -> None:
    env = {"ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib")}
    _flask_db_upgrade(env)
    assert _schema_differences(f"sqlite:///{tmp_path / 'aniworld.db'}") == []


@pytest.mark.postgres
def test_upgrade_builds_postgres_schema_from_empty(tmp_path: Path, postgres_user: str) -> None:
    base_url = f"postgresql+psycopg://{postgres_user}@{POSTGRES_HOST}/{POSTGRES_DB}"
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base_url}?options=-csearch_path%3D{schema}"
        env = {"ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "l"),
               "DATABASE_URL": url}
        _flask_db_upgrade(env)
        assert _schema_differences(url) == []
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_series_monitored_before_the_preferences_keep_new_episodes_only(tmp_path: Path) -> None:
    env = {"ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib")}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "a3aa9b401c97"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'aniworld.db'}")
    try:
        with engine.begin() as connection:
            for key, monitored in (("watched", True), ("kept", False)):
                connection.execute(sa.text(
                    "INSERT INTO series (site, key, title, alternative_titles, description,"
                    " genres, monitored, created_at, updated_at) VALUES ('aniworld', :key, :key,"
                    " '', '', '', :monitored, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"key": key, "monitored": monitored})
        _flask_db_upgrade(env)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT key, monitor_scope FROM series"))
            scopes = {key: scope for key, scope in rows}
        assert scopes == {"watched": "new", "kept": "all"}
    finally:
        engine.dispose()
