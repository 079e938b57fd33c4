"""Season, film-list and episode pages assembled from header, nav and blocks (§2.5, §7.5)."""

from __future__ import annotations

from tests.fakesite.catalog import Episode, HosterLink, Series
from tests.fakesite.html import esc, page
from tests.fakesite.languages import FLAGS, LANG_KEYS
from tests.fakesite.pages_series import header, nav, table


def series_page(series: Series, number: int | None) -> str:
    """Series (number None), season (N >= 1) or Filme (0) page; an unknown season has no table."""
    if number is None:
        number = 1 if series.season(1) else 0
        title = series.title
    else:
        title = (
            f"Filme von {series.title}" if number == 0 else f"Staffel {number} von {series.title}"
        )
    season = series.season(number)
    blocks = [header(series), nav(series, season)]
    if season is not None:
        blocks.append(table(series, season))
    return page(title, "\n".join(blocks))


def _language_box(episode: Episode) -> str:
    imgs = []
    for index, lang in enumerate(episode.languages):
        flag = FLAGS[lang]
        selected = ' class="selectedLanguage"' if index == 0 else ""
        imgs.append(
            f'<img src="{flag.src}" alt="{esc(flag.box_alt)}"{selected} '
            f'data-lang-key="{LANG_KEYS[lang]}" title="{esc(flag.box_title)}">'
        )
    return (
        '<div class="changeLanguageBox"><strong>Sprache: </strong>\n' + "\n".join(imgs) + "\n</div>"
    )


def _hoster_item(link: HosterLink, key: int, first: bool, hidden: bool) -> str:
    style = ' style="display: none;"' if hidden else ""
    div = '<div class="generateInlinePlayer">' if first else "<div>"
    return (
        f'<li class="col-md-3 col-xs-12 col-sm-6 episodeLink{link.link_id}" data-lang-key="{key}" '
        f'data-link-id="{link.link_id}" data-link-target="/redirect/{link.link_id}" '
        f'data-external-embed="false"{style}>\n'
        f'{div}<a class="watchEpisode" itemprop="url" href="/redirect/{link.link_id}" '
        f'target="_blank">\n<i class="icon {link.hoster}" title="Hoster {link.hoster}"></i>'
        f'<h4>{link.hoster}</h4><div class="hosterSiteVideoButton">Video öffnen</div></a>'
        "<span></span></div>\n</li>"
    )


def _hoster_list(episode: Episode) -> str:
    items = []
    for index, lang in enumerate(episode.languages):
        for position, link in enumerate(episode.links_for(lang)):
            items.append(_hoster_item(link, LANG_KEYS[lang], position == 0, index > 0))
    return '<ul class="row">\n' + "\n".join(items) + "\n</ul>"


def _video_block(episode: Episode) -> str:
    player = ""
    if episode.languages:
        default = episode.links_for(episode.languages[0])[0]
        player = (
            '<div class="inSiteWebStream"><div>'
            f'<iframe src="/redirect/{default.link_id}" allowfullscreen></iframe></div></div>'
        )
    return (
        f'<div class="hosterSiteVideo">\n{_language_box(episode)}\n'
        f"{_hoster_list(episode)}\n{player}\n</div>"
    )


def _title_block(episode: Episode) -> str:
    return (
        f'<div class="hosterSiteTitle" data-episode-id="{episode.episode_id}" '
        f'data-season="{episode.season}">\n'
        f'<h2><span class="episodeGermanTitle">{esc(episode.title_de)}</span> '
        f'<small class="episodeEnglishTitle">{esc(episode.title_en)}</small></h2>\n'
        f'<p class="descriptionSpoiler" itemprop="description">{esc(episode.description)}</p>\n'
        "</div>"
    )


def episode_page(series: Series, season_number: int, number: int) -> str:
    """Episode or film page; an unknown episode keeps header and nav but has no video block."""
    season = series.season(season_number)
    episode = season.episode(number) if season else None
    if season_number == 0:
        title = f"Film {number} von {series.title}"
    else:
        title = f"Episode {number} Staffel {season_number} von {series.title}"
    blocks = [header(series), nav(series, season, episode)]
    if episode is not None:
        blocks += [_title_block(episode), _video_block(episode)]
    return page(title, "\n".join(blocks))
