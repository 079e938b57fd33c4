"""Home, catalogue and genre pages (reference §2.7, §7.3); the feeds are in pages_feeds."""

from __future__ import annotations

from collections import defaultdict

from tests.fakesite.catalog import Catalog, Series
from tests.fakesite.html import esc, page, slugify
from tests.fakesite.pages_series import cover_path, series_path

GENRE_PAGE_SIZE = 30


def _catalogue_link(series: Series) -> str:
    return (
        f'<li><a data-alternative-title="{esc(", ".join(series.alt_titles))}" '
        f'href="{series_path(series)}" title="{esc(series.title)} Stream anschauen">'
        f"{esc(series.title)}</a></li>"
    )


def _letter(series: Series) -> str:
    first = slugify(series.title)[:1].upper()
    return first if first.isalpha() else "0-9"


def catalogue_page(catalog: Catalog, by_genre: bool = False) -> str:
    """``div#seriesContainer`` grouped by letter (or by genre, where a series repeats)."""
    groups: dict[str, list[Series]] = defaultdict(list)
    for series in catalog.all():
        for key in series.genres if by_genre else [_letter(series)]:
            groups[key].append(series)
    blocks = []
    for key in sorted(groups):
        links = "\n".join(_catalogue_link(s) for s in groups[key])
        blocks.append(
            f'<div class="genre">\n<div class="seriesGenreList"><h3>{esc(key)}</h3></div>\n'
            f"<ul>\n{links}\n</ul>\n</div>"
        )
    body = '<div id="seriesContainer">\n' + "\n".join(blocks) + "\n</div>"
    return page("Alle Animes", body)


def _card(series: Series, css: str) -> str:
    cover = cover_path(series)
    genre = esc(series.genres[0]) if series.genres else ""
    return (
        f'<div class="{css}"><a href="{series_path(series)}" title="{esc(series.title)}">'
        f'<img src="{cover}" data-src="{cover}" alt="{esc(series.title)}">'
        f"<h3>{esc(series.title)}</h3><small>{genre}</small></a></div>"
    )


def genre_page(catalog: Catalog, genre: str, number: int) -> str | None:
    """Genre listing page ``number`` (30 cards each), or None when the genre is unknown."""
    members = catalog.genre(genre)
    if not members:
        return None
    chunk = members[(number - 1) * GENRE_PAGE_SIZE : number * GENRE_PAGE_SIZE]
    name = next(g for g in members[0].genres if slugify(g) == genre)
    cards = "\n".join(_card(s, "seriesListItem") for s in chunk)
    more = ""
    if number * GENRE_PAGE_SIZE < len(members):
        more = f'<a class="nextPage" href="/genre/{genre}/{number + 1}">Nächste Seite</a>'
    body = (
        f"<h1>{esc(name)} Animes</h1>\n"
        f'<div class="seriesListContainer">\n<div>\n{cards}\n</div>\n</div>\n{more}'
    )
    return page(f"{name} Animes", body)


def home_page(catalog: Catalog) -> str:
    """Home: three carousels of cover cards and the genre list."""
    everything = catalog.all()
    sections = (
        ("Beliebt bei AniWorld", everything[:6]),
        ("Neue Animes", everything[6:12]),
        ("Derzeit beliebt", everything[12:18]),
    )
    blocks = []
    for heading, members in sections:
        cards = "\n".join(_card(s, "coverListItem") for s in members)
        blocks.append(f'<div class="carousel">\n<h2>{esc(heading)}</h2>\n{cards}\n</div>')
    genres = sorted({g for s in everything for g in s.genres})
    items = "".join(f'<li><a href="/genre/{slugify(g)}">{esc(g)}</a></li>' for g in genres)
    blocks.append(f'<ul class="homeContentGenresList">{items}</ul>')
    return page("Animes online schauen", "\n".join(blocks))
