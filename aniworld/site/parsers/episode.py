"""Parser for an episode page: the language flag box and the hoster list."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bs4 import Tag

from aniworld.languages import Language
from aniworld.phrases import N_
from aniworld.site.parsers.common import (
    attr,
    clean,
    flag_language,
    image_source,
    make_soup,
    require,
    site_url,
    text_of,
)
from aniworld.site.types import EpisodeHosters, HosterLink

logger = logging.getLogger(__name__)

# Checked in order: the subtitle phrases must win over the bare language names.
_TITLE_HINTS = (
    (("untertitel deutsch", "deutscher untertitel", "deutschem untertitel", "ger-sub"),
     Language.GERMAN_SUB),
    (("untertitel englisch", "englischer untertitel", "englischem untertitel", "eng-sub"),
     Language.ENGLISH_SUB),
    (("deutsch", "german"), Language.GERMAN_DUB),
    (("englisch", "english"), Language.ENGLISH_DUB),
)


def parse_episode(
    markup: str, base_url: str, fallback_keys: Mapping[str, Language]
) -> EpisodeHosters:
    """Parse the hoster offers; languages come from the page's flag box, else ``fallback_keys``."""
    soup = make_soup(markup, N_("episode"))
    items = soup.select("li[data-link-id]")
    box = soup.select_one("div.changeLanguageBox")
    if not items and box is None:
        require(soup.select_one("div.hosterSiteVideo"), N_("episode"), "div.hosterSiteVideo")
    language_keys = read_language_keys(box)
    hosters: list[HosterLink] = []
    seen: set[str] = set()
    for item in items:
        link = _parse_item(item, base_url, language_keys, fallback_keys)
        if link is not None and link.link_id not in seen:
            seen.add(link.link_id)
            hosters.append(link)
    return EpisodeHosters(hosters=hosters, language_keys=language_keys)


def read_language_keys(box: Tag | None) -> dict[str, Language]:
    """Map each ``data-lang-key`` of the flag box to a language: file name first, then text."""
    keys: dict[str, Language] = {}
    for img in box.select("img[data-lang-key]") if box is not None else []:
        key = attr(img, "data-lang-key").strip()
        language = flag_language(img) or _language_from_text(img)
        if key and language is not None:
            keys.setdefault(key, language)
        elif key:
            logger.warning("unknown language flag key=%s src=%s", key, image_source(img))
    return keys


def _language_from_text(img: Tag) -> Language | None:
    text = f"{attr(img, 'title')} {attr(img, 'alt')}".lower()
    for needles, language in _TITLE_HINTS:
        if any(needle in text for needle in needles):
            return language
    return None


def _parse_item(
    item: Tag,
    base_url: str,
    language_keys: Mapping[str, Language],
    fallback_keys: Mapping[str, Language],
) -> HosterLink | None:
    link_id = clean(attr(item, "data-link-id"))
    key = clean(attr(item, "data-lang-key"))
    language = language_keys.get(key) or fallback_keys.get(key)
    name = _hoster_name(item)
    if not link_id or language is None or not name:
        logger.warning("hoster item skipped link_id=%s lang_key=%s name=%s", link_id, key, name)
        return None
    target = attr(item, "data-link-target") or attr(item.select_one("a[href]"), "href")
    return HosterLink(
        hoster=name,
        language=language,
        link_id=link_id,
        redirect_url=site_url(base_url, target or f"/redirect/{link_id}"),
    )


def _hoster_name(item: Tag) -> str:
    heading = text_of(item.find("h4"))
    if heading:
        return heading
    icon = item.select_one("i.icon")
    title = clean(attr(icon, "title")).removeprefix("Hoster ").strip()
    classes = [name for name in attr(icon, "class").split() if name != "icon"]
    return title or (classes[0] if classes else "")

