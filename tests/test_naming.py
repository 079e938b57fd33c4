"""Library path rendering: default layout, sanitising and the escape-proof guarantees."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aniworld import naming
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
    path = render(template="{series}/S{season}E{episode}/{title}.{ext}", series="CON",
                  title="nul.")
    assert path.parents[1].name == "_CON" and path.name == "_nul.mkv"


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
        "{series}/S{season}E{episode}/{title}.mkv",
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


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{series}.{ext}", "must contain {episode}"),
        ("{series}/{series} {episode}.{ext}", "must contain {season}"),
        ("{series}/{season:{series.__class__.__mro__}}/{episode}.{ext}", "{season} has a format"),
        ("{series.__class__}/{season}/{episode}.{ext}", "without attribute or index access"),
        ("{series[0]}/{season}/{episode}.{ext}", "without attribute or index access"),
        ("{}/{season}/{episode}.{ext}", "{} is not a field"),
        ("{series!r}/{season}/{episode}.{ext}", "{series} has a format spec"),
        ("{series:>300}/{season}/{episode}.{ext}", "{series} has a format spec"),
        ("{series}/{season}/{episode:0100}.{ext}", "at most 4 digits"),
        ("{series}/{season}/{episode:,}.{ext}", "only season and episode may be zero-padded"),
        ("{series} ({year:04})/{season}/{episode}.{ext}", "{year} has a format spec"),
        ("{site:>9}/{series}/{season}/{episode}.{ext}", "{site} has a format spec"),
        ("{site.upper}/{series}/{season}/{episode}.{ext}", "without attribute or index access"),
        ("{sites}/{series}/{season}/{episode}.{ext}", "{site}"),
    ],
)
def test_templates_that_cannot_tell_episodes_apart_or_echo_internals(template: str,
                                                                      reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_template(template)
    assert reason in caught.value.message and caught.value.field == "naming_template"


@pytest.mark.parametrize("template", [
    "{series}/Season {season}/{episode:02}.{ext}",
    "{series} S{season:02d}E{episode:4}.{ext}",
    "{series} ({year})/{season}x{episode:03} - {title} [{language}].{ext}",
])
def test_padding_and_a_season_folder_are_enough(template: str) -> None:
    validate_template(template)


def test_site_placeholder_names_the_series_site() -> None:
    """``{site}`` keeps the two sites' series apart; the default template does not use it."""
    template = "{site}/{series}/Season {season:02}/{series} - S{season:02}E{episode:02}.{ext}"
    validate_template(template)
    assert render(template, site="sto") == LIB / "sto/Dandadan/Season 01/Dandadan - S01E05.mkv"
    assert render(template).parts[3] == "aniworld"  # aniworld when no site is given
    assert "{site}" not in DEFAULT_TEMPLATE
    assert render(site="sto") == render()


def test_a_site_value_cannot_leave_its_component() -> None:
    path = render("{series} [{site}]/{season}/{episode}.{ext}", site="../x/y")
    assert path.relative_to(LIB).parts[0] == "Dandadan [-x-y]"


# series_folder: the folder a library scan matched to the series


def test_series_folder_replaces_only_the_first_folder() -> None:
    path = render(series_folder="Naruto [1080p]")
    assert path == LIB / "Naruto [1080p]/Season 01/Dandadan - S01E05 - Tsuchinoko [German Dub].mkv"
    # A flat template: the file goes straight into the matched folder.
    flat = render(template="{series} ({year})/{series} S{season:02}E{episode:02}.{ext}",
                  series_folder="Naruto [1080p]")
    assert flat == LIB / "Naruto [1080p]/Dandadan S01E05.mkv"


def test_single_component_template_ignores_the_series_folder() -> None:
    path = render(template="{series} - S{season:02}E{episode:02}.{ext}",
                  series_folder="Naruto [1080p]")
    assert path == LIB / "Dandadan - S01E05.mkv"


@pytest.mark.parametrize("folder", [None, "", "  ", ".", "..", "...", "?*"])
def test_empty_or_dot_series_folder_falls_back_to_the_template(folder: str | None) -> None:
    assert render(series_folder=folder) == render()


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("../../etc", "-..-etc"),
        ("a/b", "a-b"),
        ("back\\slash", "back-slash"),
        ("Show.", "Show"),
        (".hidden", "hidden"),
        ("CON", "_CON"),
        ("Was?\x00", "Was"),
    ],
)
def test_unsafe_series_folder_is_cleaned(folder: str, expected: str) -> None:
    path = render(series_folder=folder)
    assert path.relative_to(LIB).parts[0] == expected
    assert path.parent.name == "Season 01"


@pytest.mark.parametrize("folder", ["Re:Zero (2016)", 'Say "I love you"', "Fate|Zero"])
def test_an_existing_folder_name_is_kept_as_it_is(folder: str) -> None:
    # The folder exists on disk: a cleaned name would start a second folder beside it.
    assert render(series_folder=folder).relative_to(LIB).parts[0] == folder


def test_long_series_folder_is_capped() -> None:
    path = render(series_folder="ü" * 300)
    first = path.relative_to(LIB).parts[0]
    assert len(first.encode()) <= MAX_COMPONENT_BYTES and first.startswith("üü")


@settings(max_examples=200, deadline=None)
@given(folder=st.text(), series=st.text())
def test_any_series_folder_stays_inside(folder: str, series: str) -> None:
    relative = render(series=series, series_folder=folder).relative_to(LIB)
    assert len(relative.parts) == 3
    for index, part in enumerate(relative.parts):
        assert part and part not in {".", ".."} and not part.startswith(".")
        assert not set(part) & ({"/", "\\"} | {chr(c) for c in range(32)})
        # Only the user's own folder may keep characters a rendered name never has.
        assert index == 0 or not (set(part) & FORBIDDEN)
        assert len(part.encode()) <= MAX_COMPONENT_BYTES


# Containment is lexical: symlinked series folders are a normal setup (several disks).


def test_a_series_folder_that_is_a_symlink_elsewhere_is_used(tmp_path: Path) -> None:
    library, disk = tmp_path / "library", tmp_path / "disk2" / "Naruto"
    disk.mkdir(parents=True)
    library.mkdir()
    (library / "Naruto").symlink_to(disk, target_is_directory=True)
    path = render_path(library, DEFAULT_TEMPLATE, series="Naruto", year=2002, season=1,
                       episode=1, title="Uzumaki", language="German Dub", ext="mkv",
                       series_folder="Naruto")
    assert path == library.resolve() / "Naruto/Season 01/Naruto - S01E01 - Uzumaki [German Dub].mkv"


@pytest.mark.parametrize("parts", [["..", "x.mkv"], ["a", "..", "..", "x.mkv"], ["a/../..", "x"],
                                   ["/etc", "x"], ["", "x"], [".", "x"], ["a\\..", "x"]])
def test_a_part_that_walks_out_is_refused(parts: list[str]) -> None:
    with pytest.raises(ValidationError, match="leaves the library folder"):
        naming._inside(LIB, parts)
