"""Library path rendering: default layout, sanitising and the escape-proof guarantees."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aniworld.errors import ValidationError
from aniworld.naming import (
    DEFAULT_TEMPLATE,
    MAX_COMPONENT_BYTES,
    render_path,
    validate_template,
)

LIB = Path("/srv/library")
FORBIDDEN = set('<>:"\\|?*') | {chr(c) for c in range(32)}


def render(template: str = DEFAULT_TEMPLATE, **overrides: object) -> Path:
    values: dict[str, object] = {
        "series": "Dandadan",
        "year": 2024,
        "season": 1,
        "episode": 5,
        "title": "Tsuchinoko",
        "language": "German Dub",
        "ext": "mkv",
    }
    values.update(overrides)
    return render_path(LIB, template, **values)  # type: ignore[arg-type]


def test_default_layout() -> None:
    assert (
        render()
        == LIB / "Dandadan (2024)/Season 01/Dandadan - S01E05 - Tsuchinoko [German Dub].mkv"
    )


def test_film_is_season_zero_and_unknown_year_drops_parentheses() -> None:
    path = render(year=None, season=0, episode=1, title="Der Film")
    assert path == LIB / "Dandadan/Season 00/Dandadan - S00E01 - Der Film [German Dub].mkv"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Re:Zero / Part 2", "Re -Zero - Part 2"),
        ('Why? "Because" <3', "Why 'Because' (3"),
        ("..", "Episode 5"),
        ("dots...", "dots"),
    ],
)
def test_title_sanitised(title: str, expected: str) -> None:
    assert f" - {expected} [" in render(title=title).name


def test_reserved_windows_name_and_trailing_dots() -> None:
    path = render(template="{series}/{title}.{ext}", series="CON", title="nul.")
    assert path.parent.name == "_CON" and path.name == "_nul.mkv"


def test_long_component_capped_keeping_extension() -> None:
    path = render(title="ü" * 400)
    assert len(path.name.encode()) <= MAX_COMPONENT_BYTES and path.name.endswith(".mkv")


@pytest.mark.parametrize(
    "template",
    [
        "{series}/{nope}.{ext}",
        "/abs/{series}.{ext}",
        "{series}/../{title}.{ext}",
        "{season:zz}/{title}.{ext}",
        "{series}/{title",
        "{series}/{title}.mkv",
        "",
    ],
)
def test_bad_templates_rejected(template: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_template(template)
    assert caught.value.field == "naming_template"


@settings(max_examples=300, deadline=None)
@given(
    series=st.text(),
    title=st.text(),
    language=st.text(),
    ext=st.text(max_size=10),
    year=st.none() | st.integers(0, 9999),
    season=st.integers(0, 99),
    episode=st.integers(0, 9999),
)
def test_any_input_stays_inside_with_safe_components(
    series: str, title: str, language: str, ext: str, year: int | None, season: int, episode: int
) -> None:
    path = render(
        series=series,
        title=title,
        language=language,
        ext=ext,
        year=year,
        season=season,
        episode=episode,
    )
    relative = path.relative_to(LIB)
    assert len(relative.parts) == 3
    for part in relative.parts:
        assert part and part not in {".", ".."} and not (set(part) & FORBIDDEN)
        assert part == part.strip(" ") and not part.endswith(".")
        assert len(part.encode()) <= MAX_COMPONENT_BYTES
