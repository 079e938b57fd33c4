"""s.to V2 markup (reference site-2026 §1.4, §1.5, §1.8): exact classes and attribute order."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from tests.fakesite.catalog import Episode, HosterLink, Series
from tests.fakesite.html import esc, slugify
from tests.fakesite.languages import ENGLISH_DUB, GERMAN_DUB, GERMAN_SUB

# language -> (data-language-id, inline SVG flag name); the id-3 label is a mode ([inf]).
V2_LANGUAGES = {GERMAN_DUB: ("1", "german"), ENGLISH_DUB: ("2", "english"),
                GERMAN_SUB: ("3", "english-german")}
LABELS = {"1": "Deutsch", "2": "Englisch"}
GATE_SITEKEY = "0x4AAAAAAA-fakesite"

Tokenize = Callable[[HosterLink], str]


def v2_page(title: str, body: str, origin: str, path: str) -> str:
    """The page shell with csrf token and og:url."""
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">\n'
        f"<title>{esc(title)} | S.to</title>\n"
        '<meta name="csrf-token" content="fakesiteCsrfToken">'
        f'<meta property="og:url" content="{origin}{path}">\n'
        f"</head><body>\n<main class=\"container\">\n{body}\n</main>\n"
        # Cloudflare injects its bot-detection script into ordinary pages too.
        f'<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
        "</body></html>\n"
    )


def image(series: Series, size: str, kind: str = "channel") -> str:
    """Path of one of the series' images (the channel cover unless ``kind`` says else)."""
    return f"/media/images/{kind}/{size}/{series.slug}-{series.cover_hash[:6]}"


def _facts(series: Series) -> str:
    def group(label: str, kind: str, names: tuple[str, ...]) -> str:
        links = [f'<a href="/{kind}/{slugify(n)}" class="link-light">{esc(n)}</a>' for n in names]
        more = ""
        if len(links) > 1:
            more = (f'\n    <span class="extra-items d-none">, {", ".join(links[1:])}</span>\n'
                    f'    <button type="button" class="btn btn-sm toggle-more" '
                    f'data-count="{len(links) - 1}">&amp; {len(links) - 1} mehr</button>')
        return (f'   <li class="series-group"><strong class="me-1">{label}:</strong> '
                f"{links[0] if links else ''}{more}</li>")

    return "\n".join([
        '  <ul class="list-unstyled">',
        group("Genre", "genre", series.genres),
        group("Regisseur", "regisseur", series.directors),
        group("Besetzung", "schauspieler", series.actors),
        group("Land", "land", ("Deutschland",)),
        "  </ul>",
    ])


def _header(series: Series) -> str:
    return f"""<div class="backdrop-picture"><picture><img data-src="{image(series, 'desktop', 'backdrop')}?format=jpg" alt=""></picture></div>
<div class="row"><div class="col-3 col-md-3 col-lg-2 d-none d-md-block"><picture>
  <source type="image/avif" data-srcset="{image(series, 'mobile')}?format=avif 375w, {image(series, 'desktop')}?format=avif 1024w">
  <source type="image/webp" data-srcset="{image(series, 'mobile')}?format=webp 375w, {image(series, 'desktop')}?format=webp 1024w">
  <img data-src="{image(series, 'desktop')}?format=jpg" src="{image(series, 'desktop')}?format=jpg" alt="{esc(series.title)}" class="img-fluid w-100 loaded"></picture></div>
 <div class="col">
  <h1 class="h2 mb-1 fw-bold">{esc(series.title)}</h1>
  <p class="small text-muted mb-2"><a class="small text-muted" href="/jahr/{series.start_year}">{series.start_year}</a> - <span class="small text-muted">NA</span> • FSK {series.fsk} •
   <a href="https://www.imdb.com/title/{series.imdb}/" class="small text-muted text-decoration-none">IMDb</a></p>
  <span class="description-text">{esc(series.description)}</span>
{_facts(series)}
 </div></div>"""  # noqa: E501


def _nav(series: Series, active: int) -> str:
    numbers = ([0] if series.has_films else []) + series.season_numbers
    items = []
    for number in numbers:
        text = "Filme" if number == 0 else str(number)
        current = ' class="active"' if number == active else ""
        items.append(f'<li><a href="/serie/{series.slug}/staffel-{number}" '
                     f'data-season-pill="{number}"{current}>{text}</a></li>')
    return '<nav id="season-nav"><ul class="nav nav-pills">\n ' + "\n ".join(items) + "</ul></nav>"


def _flags(episode: Episode) -> str:
    svgs = []
    for language in episode.languages:
        name = V2_LANGUAGES[language][1]
        svgs.append(f'<svg class="svg-flag-{name}"><use href="#icon-flag-{name}"></use></svg>')
    return "\n   ".join(svgs)


def _row(series: Series, episode: Episode, origin: str) -> str:
    url = f"{origin}/serie/{series.slug}/staffel-{episode.season}/episode-{episode.number}"
    number = f'  <th class="episode-number-cell text-center">{episode.number}</th>'
    if not episode.links:
        return (f'<tr class="episode-row upcoming" onclick="window.location=\'{url}\'">\n{number}\n'
                f'  <td><strong class="episode-title-ger">{esc(episode.title_de)}</strong> '
                '<span class="badge badge-upcoming">Demnächst</span></td>\n'
                '  <td class="episode-language-cell"></td></tr>')
    return (f'<tr class="episode-row" onclick="window.location=\'{url}\'">\n{number}\n'
            f'  <td><a href="{url}"><strong class="episode-title-ger">{esc(episode.title_de)}'
            f'</strong> <span class="episode-title-eng">{esc(episode.title_en)}</span></a></td>\n'
            f'  <td class="episode-language-cell">{_flags(episode)}</td></tr>')


def series_page(series: Series, season: int, origin: str) -> str:
    """``/serie/<slug>`` (season 1) or ``/staffel-N`` with season N active (0 = films)."""
    found = series.season(season)
    rows = [_row(series, e, origin) for e in (found.episodes if found else ())]
    table = ('<table class="table episode-table"><tbody>\n' + "\n".join(rows)
             + "\n</tbody></table>")
    body = "\n".join([_header(series), _nav(series, season), table])
    return v2_page(series.title, body, origin, f"/serie/{series.slug}/staffel-{season}")


def gate_block(token: str = "") -> str:
    """The hidden "Stream wird vorbereitet" modal (shown on gated /r answers)."""
    return f"""<div id="episode-redirect-gate-root" data-turnstile-sitekey="{GATE_SITEKEY}"></div>
<div class="modal fade" id="playerPrepareModal" aria-hidden="true"><div class="modal-dialog"><div class="modal-content">
 <form id="player-prepare-form" method="post" action="/r">
  <input type="hidden" id="player-prepare-token" name="t" value="{esc(token)}">
  <div id="player-prepare-turnstile" class="cf-turnstile"></div>
  <div id="player-prepare-altcha" style="display:none"></div>
  <button type="submit" class="btn btn-primary">Weiter</button></form></div></div></div>"""  # noqa: E501


def _button(link: HosterLink, play_url: str, sub_label: str) -> str:
    key = V2_LANGUAGES[link.language][0]
    label = LABELS.get(key, sub_label)
    return (f'<button type="button" class="link-box" data-link-id="{link.link_id}" '
            f'data-play-url="{play_url}" data-provider-name="{esc(link.hoster)}" '
            f'data-language-label="{esc(label)}" data-language-id="{key}">'
            f"{esc(link.hoster)}</button>")


def episode_page(series: Series, episode: Episode, origin: str, tokenize: Tokenize,
                 sub_label: str) -> str:
    """Episode page: heading, buttons per language (fresh tokens), player iframe, gate modal."""
    heading = (f'<h2 class="h4 mb-1">S{episode.season:02d}E{episode.number:02d}: '
               f"{esc(episode.title_de)} ({esc(episode.title_en)}) </h2>")
    parts = ['<div class="episode-links">']
    first = ""
    for language in episode.languages:
        key = V2_LANGUAGES[language][0]
        parts.append(f" <h6>{esc(LABELS.get(key, sub_label))}</h6>")
        for link in episode.links_for(language):
            play_url = tokenize(link)
            first = first or play_url
            parts.append(" " + _button(link, play_url, sub_label))
    parts.append("</div>")
    player = (f'<iframe name="player-iframe" src="{first}" allowfullscreen></iframe>'
              if first else "")
    body = "\n".join([f'<h1 class="h2 mb-1 fw-bold">{esc(series.title)}</h1>', heading,
                      "\n".join(parts), player, gate_block()])
    path = f"/serie/{series.slug}/staffel-{episode.season}/episode-{episode.number}"
    return v2_page(f"{series.title} {heading}", body, origin, path)


def gate_page(token: str, origin: str) -> str:
    """Gated /r answer (stand-in markup; the real one is unobserved): 200, stays on s.to."""
    head = ('<!doctype html><html lang="de"><head><meta charset="utf-8">'
            "<title>Stream wird vorbereitet...</title>"
            '<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer>'
            "</script></head><body>\n")
    return head + gate_block(token) + "\n</body></html>\n"


def search_page(found: list[Series], term: str, page: int, size: int) -> str:
    """``/suche?term=``: series cards, an episode-hits block to skip, ``rel=next`` paging."""
    chunk = found[(page - 1) * size: page * size]
    cards = []
    for series in chunk:
        cards.append(
            '  <div class="col-6 col-md-4 col-lg-2"><div class="card cover-card">\n'
            f'    <a class="show-cover" href="/serie/{series.slug}"><img data-src='
            f'"{image(series, "desktop")}?format=jpg" alt="{esc(series.title)}"></a>\n'
            f'    <h6 class="show-title">{esc(series.title)}</h6></div></div>')
    body = ('<div data-group="shows"><div class="search-results-list row">\n'
            + "\n".join(cards) + "\n</div></div>\n"
            '<div class="search-section--episodes"><div class="card cover-card">'
            '<a href="/serie/demo-serie/staffel-1/episode-3">Folge mit '
            f"{esc(term)}</a></div></div>")
    if page * size < len(found):
        body += (f'\n<nav><a rel="next" href="/suche?term={quote(term)}&amp;page={page + 1}">'
                 "›</a></nav>")
    return v2_page(f"Suche: {term}", body, "", "/suche")
