"""Series keys across the two sites: the bare slug for aniworld.to, ``sto:<slug>`` for s.to."""

from __future__ import annotations

import pytest

from aniworld.errors import ValidationError
from aniworld.sites import (
    SeriesRef,
    check_site,
    parse_series_key,
    public_series_key,
    sites_for,
)


@pytest.mark.parametrize(("text", "ref"), [
    ("one-piece", SeriesRef("aniworld", "one-piece")),
    ("  one-piece ", SeriesRef("aniworld", "one-piece")),
    ("aniworld:one-piece", SeriesRef("aniworld", "one-piece")),
    ("sto:breaking-bad", SeriesRef("sto", "breaking-bad")),
])
def test_keys_parse_to_site_and_slug(text: str, ref: SeriesRef) -> None:
    assert parse_series_key(text) == ref


@pytest.mark.parametrize("text", ["", "sto:", "xyz:one-piece", "sto:../etc", "a b", "-x",
                                  "sto:sto:x", None, 5])
def test_bad_keys_are_refused_naming_the_field(text: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_series_key(text, field="series_key")
    assert caught.value.field == "series_key"


def test_public_key_is_bare_for_aniworld_and_prefixed_for_sto() -> None:
    assert public_series_key("aniworld", "one-piece") == "one-piece"
    assert public_series_key("sto", "dark") == "sto:dark"
    assert str(SeriesRef("sto", "dark")) == "sto:dark"
    assert parse_series_key(SeriesRef("sto", "dark").public_key) == SeriesRef("sto", "dark")


def test_site_choice() -> None:
    assert check_site("STO") == "sto"
    assert sites_for(check_site("all", allow_all=True)) == ("aniworld", "sto")
    with pytest.raises(ValidationError):
        check_site("all")
    with pytest.raises(ValidationError):
        check_site("kinox", allow_all=True)
