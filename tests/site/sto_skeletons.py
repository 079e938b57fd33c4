# ruff: noqa: E501
"""The s.to V2 skeletons of reference site-2026 §1.8, verbatim.

Only the abbreviated play tokens (``eyJpdiI6Ik…In0``) get their "…" filled in with base64
letters, as a real token has no ellipsis.
"""

from __future__ import annotations

SUGGEST_JSON = """\
{"shows":[{"name":"Demo Serie","url":"/serie/demo-serie"},{"name":"Demo Serie: Reboot","url":"/serie/demo-serie-reboot"}],"people":[],"genres":[]}
"""

SEARCH_PAGE = """\
<div data-group="shows"><div class="search-results-list row">
  <div class="col-6 col-md-4 col-lg-2"><div class="card cover-card">
    <a class="show-cover" href="/serie/demo-serie"><img data-src="/media/images/channel/desktop/demo-serie-Ab12Cd?format=jpg" alt="Demo Serie"></a>
    <h6 class="show-title">Demo Serie</h6></div></div>
</div></div>
<div class="search-section--episodes"><a href="/serie/other/staffel-1/episode-3">…demo…</a></div>
<nav><a rel="next" href="/suche?term=demo&amp;page=2">›</a></nav>
"""

SERIES_PAGE = """\
<!doctype html><html lang="de"><head><meta charset="utf-8">
<meta name="csrf-token" content="tok"><meta property="og:url" content="https://serienstream.to/serie/demo-serie">
</head><body>
<div class="backdrop-picture"><picture><img data-src="/media/images/backdrop/desktop/demo-serie-Ab12Cd?format=jpg" alt=""></picture></div>
<div class="row"><div class="col-3 col-md-3 col-lg-2 d-none d-md-block"><picture>
  <source type="image/webp" data-srcset="/media/images/channel/mobile/demo-serie-Ab12Cd?format=webp 375w, /media/images/channel/desktop/demo-serie-Ab12Cd?format=webp 1024w">
  <img data-src="/media/images/channel/desktop/demo-serie-Ab12Cd?format=jpg" alt="Demo Serie" class="img-fluid w-100"></picture></div>
 <div class="col">
  <h1 class="h2 mb-1 fw-bold">Demo Serie</h1>
  <p class="small text-muted mb-2"><a class="small text-muted" href="/jahr/2019">2019</a> - <span class="small text-muted">NA</span> • FSK 12 •
   <a href="https://www.imdb.com/title/tt0000001/" class="small text-muted text-decoration-none">IMDb</a></p>
  <span class="description-text">Kurzbeschreibung mit Umlauten äöü.</span>
  <ul class="list-unstyled">
   <li class="series-group"><strong class="me-1">Genre:</strong> <a href="/genre/drama" class="link-light">Drama</a></li>
   <li class="series-group"><strong class="me-1">Besetzung:</strong> <a href="/schauspieler/a-b" class="link-light">A B</a>
    <span class="extra-items d-none">, <a href="/schauspieler/c-d" class="link-light">C D</a></span>
    <button type="button" class="btn btn-sm toggle-more" data-count="1">&amp; 1 mehr</button></li>
  </ul></div></div>
<nav id="season-nav"><ul class="nav nav-pills">
 <li><a href="/serie/demo-serie/staffel-0" data-season-pill="0">Filme</a></li>
 <li><a href="/serie/demo-serie/staffel-1" data-season-pill="1" class="active">1</a></li>
 <li><a href="/serie/demo-serie/staffel-2" data-season-pill="2">2</a></li></ul></nav>
<table class="table episode-table"><tbody>
 <tr class="episode-row" onclick="window.location='https://serienstream.to/serie/demo-serie/staffel-1/episode-1'">
  <th class="episode-number-cell text-center">1</th>
  <td><a href="https://serienstream.to/serie/demo-serie/staffel-1/episode-1"><strong class="episode-title-ger">Neuanfang</strong> <span class="episode-title-eng">Pilot</span></a></td>
  <td class="episode-language-cell"><svg class="svg-flag-german"><use href="#icon-flag-german"></use></svg>
   <svg class="svg-flag-english"><use href="#icon-flag-english"></use></svg></td></tr>
 <tr class="episode-row upcoming" onclick="window.location='https://serienstream.to/serie/demo-serie/staffel-1/episode-2'">
  <th class="episode-number-cell text-center">2</th>
  <td><strong class="episode-title-ger">Folge 2</strong> <span class="badge badge-upcoming">Demnächst</span></td>
  <td class="episode-language-cell"></td></tr>
</tbody></table></body></html>
"""

EPISODE_PAGE = """\
<h1 class="h2 mb-1 fw-bold">Demo Serie</h1>
<h2 class="h4 mb-1">S01E01: Neuanfang (Pilot) </h2>
<div class="episode-links">
 <h6>Deutsch</h6>
 <button type="button" class="link-box" data-link-id="9001" data-play-url="/r?t=eyJpdiI6Ik…In0%3D" data-provider-name="VOE" data-language-label="Deutsch" data-language-id="1">VOE</button>
 <button type="button" class="link-box" data-link-id="9002" data-play-url="/r?t=eyJpdiI6Ik…In1%3D" data-provider-name="Vidara" data-language-label="Deutsch" data-language-id="1">Vidara</button>
 <h6>Englisch</h6>
 <button type="button" class="link-box" data-link-id="9003" data-play-url="/r?t=eyJpdiI6Ik…In2%3D" data-provider-name="VOE" data-language-label="Englisch" data-language-id="2">VOE</button>
</div>
<iframe name="player-iframe" src="/r?t=eyJpdiI6Ik…In0%3D" allowfullscreen></iframe>
<div id="episode-redirect-gate-root" data-turnstile-sitekey="0x4AAAAAAA-fake"></div>
<div class="modal fade" id="playerPrepareModal" aria-hidden="true"><div class="modal-dialog"><div class="modal-content">
 <form id="player-prepare-form" method="post" action="/r">
  <input type="hidden" id="player-prepare-token" name="t" value="">
  <div id="player-prepare-turnstile" class="cf-turnstile"></div>
  <div id="player-prepare-altcha" style="display:none"></div>
  <button type="submit" class="btn btn-primary">Weiter</button></form></div></div></div>
"""

EPISODE_PAGE = EPISODE_PAGE.replace("Ik…In", "IkAbCdIn")

GATED_PAGE = (
    "<!doctype html><html><head><title>Stream wird vorbereitet...</title></head><body>"
    + EPISODE_PAGE[EPISODE_PAGE.index('<div id="episode-redirect-gate-root"'):]
    + "</body></html>"
)
