"""aniworld's feeds (site-2026 §7.1, §7.2, §9.33, §9.34): ``/neue-episoden`` and
``/animekalender``, generated from the catalogue so that released episodes show up first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tests.fakesite.catalog import Catalog, Episode, Series
from tests.fakesite.html import esc, page
from tests.fakesite.languages import FLAGS
from tests.fakesite.pages_series import cover_path, episode_path, series_path

NEW_EPISODE_ROWS = 150  # the real list always shows the 150 newest rows
NEW_TAGGED_ROWS = 12  # rows tagged "Neu!" (plus every row released at run time)
ROWS_PER_DAY = 20
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
# The calendar's "some time that day" placeholder (§7.2) goes to this card of the week.
PLACEHOLDER_CARD = 5
SERIES_ONLY_EVERY = 3  # every 3rd released card links the series, not the episode

Row = tuple[Series, Episode]


def new_episodes_page(catalog: Catalog, today: dt.date) -> str:
    """150 rows, newest first: run-time releases, then the catalogue's latest episodes round
    by round, one row per language (lazy flags in ``data-src``)."""
    episodes = list(_newest(catalog))
    released = sum(1 for series, _ in catalog.releases if series.site == "aniworld")
    rows: list[str] = []
    for index, (series, episode) in enumerate(episodes):
        on_top = index < released
        for language in episode.languages:
            position = len(rows)
            day = today if on_top else today - dt.timedelta(days=position // ROWS_PER_DAY)
            new = on_top or position < NEW_TAGGED_ROWS
            rows.append(_new_row(series, episode, language, day, new))
    body = (f'<div class="pageTitle"><h2>{NEW_EPISODE_ROWS} neuesten Episoden</h2></div>\n'
            '<div class="newEpisodeList"><div class="rows">\n'
            + "\n".join(rows[:NEW_EPISODE_ROWS]) + '\n</div><div class="cf"></div></div>')
    return page("Neue Episoden", body)


def _newest(catalog: Catalog) -> Iterator[Row]:
    """Releases (newest first), then round r: every series' r-th newest episode or film."""
    seen: set[int] = set()
    for series, episode in catalog.releases:
        if series.site == "aniworld":
            seen.add(episode.episode_id)
            yield series, episode
    latest = [[e for e in reversed(s.all_episodes()) if e.links] for s in catalog.all()]
    for round_ in range(max((len(e) for e in latest), default=0)):
        for series, episodes in zip(catalog.all(), latest, strict=True):
            if round_ < len(episodes) and episodes[round_].episode_id not in seen:
                yield series, episodes[round_]


def _new_row(series: Series, episode: Episode, language: str, day: dt.date, new: bool) -> str:
    label = (f"Film {episode.number}" if episode.is_film
             else f"S{episode.season:02d} E{episode.number:02d}")
    flag = FLAGS[language]
    tag = '\n  <span class="listTag bigListTag green right">Neu!</span>' if new else ""
    return (
        ' <div class="col-md-12"><div class="row"><div class="col-md-12">\n'
        f'  <a href="{episode_path(series, episode)}"><strong>{esc(series.title)}</strong>\n'
        f'   <span class="listTag bigListTag blue2">{label}</span>'
        f'<span class="elementFloatRight">{_short_date(day)}</span></a>\n'
        f'  <img class="flag" data-src="{flag.src}" alt="{esc(flag.table_alt)}">{tag}'
        "</div></div></div>"
    )


def anime_calendar_page(catalog: Catalog, today: dt.date, now: dt.time) -> str:
    """The week (Monday to Sunday) around ``today``: seven ``section.calendarList`` days."""
    monday = today - dt.timedelta(days=today.weekday())
    cards: list[list[str]] = [[] for _ in WEEKDAYS]
    released_now = f"{now.hour:02d}:{now.minute:02d}"
    for series, episode in catalog.releases:
        if series.site == "aniworld":
            cards[today.weekday()] += _cards(series, episode, released_now, True, False)
    for index, series in enumerate(s for s in catalog.all() if _regular(s)):
        weekday = index % len(WEEKDAYS)
        cards[weekday] += _week_cards(series, index, monday + dt.timedelta(days=weekday), today)
    days = "\n".join(_day(monday + dt.timedelta(days=n), today, cards[n]) for n in range(7))
    tabs = "".join(f"<li onclick=\"scrollToDate('{name.lower()}')\">{name[:2]}</li>"
                   for name in WEEKDAYS)
    body = f'<div id="seriesContainer"><ul class="calendar row">{tabs}</ul>\n{days}\n</div>'
    return page("Animekalender", body)


def _regular(series: Series) -> list[Episode]:
    """Episodes out (not upcoming) of the regular seasons."""
    return [e for season in series.seasons for e in season.episodes if e.links]


def _week_cards(series: Series, index: int, day: dt.date, today: dt.date) -> list[str]:
    """A past day shows the series' latest episode as online; today and later its next one,
    announced under the series URL (its page does not exist yet)."""
    last = _regular(series)[-1]
    clock = f"{(14 + index) % 24:02d}:{index * 25 % 60:02d}"
    clock = "23:59" if index == PLACEHOLDER_CARD else clock
    if day < today:
        return _cards(series, last, clock, True, index % SERIES_ONLY_EVERY == 1)
    upcoming = Episode(0, last.season, last.number + 1, "", "", "", last.links)
    return _cards(series, upcoming, clock, False, True)


def _cards(series: Series, episode: Episode, clock: str, released: bool,
           series_only: bool) -> list[str]:
    """One card per language, as the site repeats an episode for each."""
    href = series_path(series) if series_only else episode_path(series, episode)
    online = ('<span class="listTag bigListTag grey" title="Stream online!"></span>'
              if released else "")
    return [
        '<div class="col-md-15 col-sm-3 col-xs-6">\n'
        f'  <a href="{href}" target="_blank" title="">\n'
        f'   <img data-src="{cover_path(series, "200x300")}" alt="{esc(series.title)} Cover">\n'
        f'   <h3 class="seriesTitle">{esc(series.title)}<span class="paragraph-end"></span></h3>\n'
        f"   <small>S{episode.season:02d}E{episode.number:02d} "
        f'<img class="flag" data-src="{FLAGS[language].src}" '
        f'alt="{esc(FLAGS[language].table_alt)}"></small>\n'
        f"   <small>~ {clock} Uhr</small>{online}</a></div>"
        for language in episode.languages
    ]


def _day(day: dt.date, today: dt.date, cards: list[str]) -> str:
    name = WEEKDAYS[day.weekday()]
    heading = f"{name}, {day:%d.%m.%Y}" + (" (heute)" if day == today else "")
    return (f'<section class="calendarList" id="{name.lower()}"><h3>{heading}</h3>\n'
            '<div class="seriesListContainer row">' + "\n".join(cards) + "</div></section>")


def _short_date(day: dt.date) -> str:
    """``Fr, 10.07.2026``."""
    return f"{WEEKDAYS[day.weekday()][:2]}, {day:%d.%m.%Y}"
