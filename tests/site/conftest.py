"""Fixtures for the site client tests: reference pages and a fresh in-process limiter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aniworld.site.limiter import LocalBackend

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "site_reference_pages"
BASE = "https://aniworld.example"


def reference(name: str) -> str:
    """Text of one saved real page excerpt."""
    return (REFERENCE_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def quiet_site() -> Iterator[None]:
    """Start every test without cool-downs or leases left by an earlier one."""
    LocalBackend.forget_all()
    yield
    LocalBackend.forget_all()
