"""Series header, season navigation and the episode table (reference §2.2–2.4, §7.4)."""

from __future__ import annotations

from tests.fakesite.catalog import Episode, Season, Series
from tests.fakesite.html import esc, slugify
from tests.fakesite.languages import FLAGS, LANGUAGE_GENRES

STREAM_PREFIX = "/anime/stream"


def series_path(series: Series) -> str:
    """Site-relative URL of the series page."""
    return f"{STREAM_PREFIX}/{series.slug}"


def episode_path(series: Series, episode: Episode) -> str:
    """Site-relative URL of an episode or film page."""
    if episode.is_film:
        return f"{series_path(series)}/filme/film-{episode.number}"
    return f"{series_path(series)}/staffel-{episode.season}/episode-{episode.number}"


def cover_path(series: Series, size: str = "220x330") -> str:
    """Cover image path, e.g. ``/public/img/cover/<slug>-stream-cover-<hash>_220x330.jpg``."""
    return f"/public/img/cover/{series.slug}-stream-cover-{series.cover_hash}_{size}.jpg"


def _years(series: Series) -> str:
    end = str(series.end_year) if series.end_year else "Heute"
    end_html = f'<a href="/animes/jahr/{end}">{end}</a>' if series.end_year else end
    return (
        f'<small> (<span itemprop="startDate"><a href="/animes/jahr/{series.start_year}">'
        f'{series.start_year}</a></span> - <span itemprop="endDate">{end_html}</span>)</small>'
    )


def _title_block(series: Series) -> str:
    alts = esc(", ".join(series.alt_titles))
    return (
        '<div class="series-title">\n'
        f'<h1 itemprop="name" title="Animes Stream: {alts}" data-alternativetitles="{alts}">'
        f"<span>{esc(series.title)}</span></h1>\n{_years(series)}\n"
        f'<div title="Empfohlene Altersfreigabe: {series.fsk} Jahre" data-fsk="{series.fsk}" '
        f'class="fsk fsk{series.fsk}">Ab: <span>{series.fsk}</span></div>\n'
        f'<a href="https://www.imdb.com/title/{series.imdb}" title="IMDB ID: {series.imdb}" '
        f'data-imdb="{series.imdb}" class="imdb-link">IMDB</a>\n</div>'
    )


def _description(series: Series) -> str:
    short = series.description[:60].rstrip() + "…"
    return (
        '<p class="seri_des" itemprop="accessibilitySummary" data-description-type="review" '
        f'data-full-description="{esc(series.description)}">{esc(short)}'
        '<span class="showMore">mehr anzeigen</span></p>'
    )


def _genre_item(name: str) -> str:
    return (
        f'<li><a href="/genre/{slugify(name)}" class="genreButton clearbutton" '
        f'itemprop="genre">{esc(name)}</a></li>'
    )


def _genres(series: Series) -> str:
    names = list(series.genres) + [
        LANGUAGE_GENRES[x] for x in series.languages if x in LANGUAGE_GENRES
    ]
    items = [_genre_item(n) for n in names]
    if len(items) > 2:
        items.insert(1, f'<li><button class="hiddenArea">+ {len(items) - 1}</button></li>')
    main = slugify(series.genres[0]) if series.genres else ""
    return (
        f'<div class="genres"><ul data-main-genre="{main}">\n' + "\n".join(items) + "\n</ul></div>"
    )


def _person(prop: str, role: str, name: str) -> str:
    return (
        f'<li itemprop="{prop}" itemscope itemtype="http://schema.org/Person">'
        f'<a href="/animes/{role}/{slugify(name)}" itemprop="url">'
        f'<span itemprop="name">{esc(name)}</span></a></li>'
    )


def _cast(series: Series) -> str:
    directors = "".join(_person("director", "regisseur", n) for n in series.directors)
    actors = "".join(_person("actor", "schauspieler", n) for n in series.actors)
    return (
        '<div class="cast"><ul>\n'
        f'<li class="seriesDirector"><strong>Regisseure:</strong><ul>{directors}</ul></li>\n'
        f'<li><strong class="seriesActor">Schauspieler:</strong>'
        f'<ul class="showHiddenArea">{actors}</ul></li>\n</ul></div>'
    )


def header(series: Series) -> str:
    """The ``section#series`` block every series, season and episode page starts with."""
    count = len(series.seasons) + (1 if series.has_films else 0)
    cover = cover_path(series)
    alt = esc(f"{series.title}, Cover, HD, Anime Stream, ganze Folge")
    return (
        '<section class="SeriesSection" id="series">\n'
        '<div class="backdrop" style="background-image: '
        f'url(/public/img/backdrop/{series.slug}.jpg)"></div>\n'
        '<div class="container row">\n<div class="seriesCoverBox">'
        f'<img src="{cover}" data-src="{cover}" alt="{alt}" itemprop="image" class="loaded" '
        f'data-was-processed="true"><noscript><img src="{cover}" alt="{alt}"></noscript></div>\n'
        '<div class="series-meta col-md-6-5 col-sm-6 col-xs-12">\n'
        f"{_title_block(series)}\n{_description(series)}\n{_genres(series)}\n{_cast(series)}\n"
        f'<meta itemprop="numberOfSeasons" content="{count}">\n</div>\n</div>\n</section>'
    )


def _season_links(series: Series, active: int | None) -> list[str]:
    base = series_path(series)
    items = ["<li><span><strong>Staffeln:</strong></span></li>"]
    if series.has_films:
        cls = ' class="active"' if active == 0 else ""
        items.append(f'<li><a{cls} href="{base}/filme" title="Alle Filme">Filme</a></li>')
    for n in series.season_numbers:
        cls = ' class="active"' if active == n else ""
        items.append(f'<li><a{cls} href="{base}/staffel-{n}" title="Staffel {n}">{n}</a></li>')
    return items


def _episode_link(series: Series, episode: Episode, active: bool) -> str:
    cls = ' class="active"' if active else ""
    label = (
        f"Film {episode.number}"
        if episode.is_film
        else (f"Staffel {episode.season} Episode {episode.number}")
    )
    return (
        f'<li><a{cls} href="{episode_path(series, episode)}" '
        f'data-episode-id="{episode.episode_id}" '
        f'title="{label}" data-season-id="{episode.season}">{episode.number}</a></li>'
    )


def nav(series: Series, season: Season | None, current: Episode | None = None) -> str:
    """``div.hosterSiteDirectNav#stream``: season list, two spacers, episode list."""
    active = season.number if season else None
    seasons = "\n".join(_season_links(series, active))
    episodes = ["<li><span><strong>Episoden:</strong></span></li>"]
    for episode in season.episodes if season else ():
        episodes.append(_episode_link(series, episode, episode == current))
    return (
        f'<div class="hosterSiteDirectNav" id="stream">\n<ul>\n{seasons}\n</ul>\n'
        '<div class="cf"></div>\n<div class="cf"></div>\n'
        "<ul>\n" + "\n".join(episodes) + "\n</ul>\n</div>"
    )


def _flags(episode: Episode) -> str:
    imgs = []
    for lang in episode.languages:
        flag = FLAGS[lang]
        imgs.append(
            f'<img class="flag" src="{flag.src}" alt="{esc(flag.table_alt)}" '
            f'title="{esc(flag.table_title)}">'
        )
    return " ".join(imgs)


def _row(series: Series, episode: Episode) -> str:
    href = episode_path(series, episode)
    number = episode.number
    if episode.is_film:
        first = (
            f'<td class="season0EpisodeID"><a itemprop="url" href="{href}"> Film {number} </a></td>'
        )
    else:
        first = (
            f'<td class="season{episode.season}EpisodeID">'
            f'<meta itemprop="episodeNumber" content="{number}">'
            f'<a itemprop="url" href="{href}"> Folge {number} </a></td>'
        )
    icons = "".join(f'<i class="icon {h}" title="{h}"></i>' for h in episode.hosters)
    return (
        f'<tr data-episode-id="{episode.episode_id}" data-episode-season-id="{episode.number}" '
        'itemprop="episode" itemscope itemtype="http://schema.org/Episode">\n'
        f"{first}\n"
        f'<td class="seasonEpisodeTitle"><a href="{href}"> <strong>{esc(episode.title_de)}</strong>'
        f" - <span>{esc(episode.title_en)}</span> </a></td>\n"
        f'<td><a href="{href}"> {icons} </a></td>\n'
        f'<td class="editFunctions"><a href="{href}"> {_flags(episode)} </a></td>\n</tr>'
    )


def table(series: Series, season: Season) -> str:
    """``table.seasonEpisodesList`` with ``tbody#season<N>``."""
    rows = "\n".join(_row(series, e) for e in season.episodes)
    return (
        f'<table class="seasonEpisodesList">\n<tbody id="season{season.number}">\n{rows}\n'
        "</tbody>\n</table>"
    )
