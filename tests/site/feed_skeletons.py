# ruff: noqa: E501
"""The feed skeletons of reference site-2026 §7 (aniworld /neue-episoden, /animekalender,
s.to /api/calendar), verbatim."""

from __future__ import annotations

NEW_EPISODES_PAGE = """\
<!-- aniworld /neue-episoden -->
<div class="pageTitle"><h2>150 neuesten Episoden</h2></div>
<div class="newEpisodeList"><div class="rows">
 <div class="col-md-12"><div class="row"><div class="col-md-12">
  <a href="/anime/stream/demo-anime/staffel-1/episode-5"><strong>Demo Anime</strong>
   <span class="listTag bigListTag blue2">S01 E05</span><span class="elementFloatRight">Fr, 10.07.2026</span></a>
  <img class="flag" data-src="/public/img/japanese-german.svg" alt="Deutscher Untertitel">
  <span class="listTag bigListTag green right">Neu!</span></div></div></div>
</div><div class="cf"></div></div>
"""

ANIME_CALENDAR_PAGE = """\
<!-- aniworld /animekalender -->
<div id="seriesContainer"><ul class="calendar row"><li onclick="scrollToDate('montag')">Mo</li></ul>
<section class="calendarList" id="dienstag"><h3>Dienstag, 14.07.2026</h3>
 <div class="seriesListContainer row"><div class="col-md-15 col-sm-3 col-xs-6">
  <a href="/anime/stream/demo-anime/staffel-1/episode-3" target="_blank" title="">
   <img data-src="/public/img/cover/demo-anime-stream-cover-x_200x300.png" alt="Demo Anime Cover">
   <h3 class="seriesTitle">Demo Anime<span class="paragraph-end"></span></h3>
   <small>S01E03 <img class="flag" data-src="/public/img/german.svg" alt="Deutsche Flagge, German Flag"></small>
   <small>~ 15:40 Uhr</small></a></div></div></section></div>
"""

STO_CALENDAR_JSON = """\
{"2026-08-23":[{"date":"2026-08-23","time":"20:15","title":"Demo Serie","language":"Deutsch","language_id":1,"season":2,"episode":4,"released":true,"url":"/serie/demo-serie/staffel-2/episode-4","cover_url":"/media/images/channel/desktop/demo-serie-Ab12Cd"}]}
"""
