"""Helpers shared by the page parsers: soup, text, URLs and language flags."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aniworld.languages import Language
from aniworld.phrases import Phrase, as_phrase
from aniworld.site.classify import is_soft_404
from aniworld.site.errors import SiteLayoutChanged, SiteNotFound

logger = logging.getLogger(__name__)

# Flag file name (without ".svg") -> language; names are "<audio>[-<subtitle>]".
FLAG_LANGUAGES = {
    "german": Language.GERMAN_DUB,
    "japanese-german": Language.GERMAN_SUB,
    "japanese-english": Language.ENGLISH_SUB,
    "english": Language.ENGLISH_DUB,
}
SLUG_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]*"
_SPACES = re.compile(r"\s+")


def make_soup(markup: str, page: str | Phrase) -> BeautifulSoup:
    """Parse HTML with lxml, raising SiteNotFound for the site's soft 404 page.

    ``page`` names the page in the message: an ``N_`` word (or a phrase), so it is
    worded in the reader's language too.
    """
    if is_soft_404(markup):
        raise SiteNotFound(
            Phrase("the site says this %(page)s does not exist or is disabled",
                   page=as_phrase(page))
        )
    return BeautifulSoup(markup, "lxml")


def clean(text: str | None) -> str:
    """Unescape left-over entities and collapse whitespace."""
    return _SPACES.sub(" ", html.unescape(text or "")).strip()


def attr(tag: Tag | None, name: str) -> str:
    """Return an attribute as one string ("" when missing), whatever bs4 stored."""
    if tag is None:
        return ""
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def text_of(tag: Tag | None) -> str:
    """Return the cleaned text of a tag ("" for None)."""
    return clean(tag.get_text(" ")) if tag is not None else ""


def site_url(base_url: str, href: str) -> str:
    """Join the path (and query) of ``href`` to the configured base URL, ignoring its host."""
    parts = urlsplit(href.strip())
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    return urljoin(base_url + "/", path.lstrip("/")) + (f"?{parts.query}" if parts.query else "")


def href_path(href: str) -> str:
    """Return the path of an href, without trailing slash ("" when it is no URL at all)."""
    try:
        return urlsplit(href.strip()).path.rstrip("/")
    except ValueError:  # e.g. an unclosed "[" read as an IPv6 host
        return ""


def flag_language(img: Tag | None) -> Language | None:
    """Map a flag image (its source like ``/public/img/japanese-german.svg``) to a language."""
    name = href_path(image_source(img)).rsplit("/", 1)[-1].lower()
    return FLAG_LANGUAGES.get(name.removesuffix(".svg").removesuffix(".png"))


def flag_languages(images: Iterable[Tag]) -> frozenset[Language]:
    """Return the languages of the known flags among ``images``."""
    found = (flag_language(img) for img in images)
    return frozenset(language for language in found if language is not None)


def image_source(img: Tag | None) -> str:
    """Return the lazy-loading ``data-src`` of an image, else its ``src``."""
    return attr(img, "data-src") or attr(img, "src")


def require(tag: Tag | None, page: str | Phrase, what: str | Phrase) -> Tag:
    """Return ``tag`` or raise SiteLayoutChanged naming the page and the missing element.

    Both are ``N_`` words (or CSS selectors, which stay as they are in every language).
    """
    if tag is None:
        raise SiteLayoutChanged(Phrase(
            "the %(page)s page no longer looks as expected: %(what)s is missing; "
            "the site layout may have changed, please report it", page=as_phrase(page),
            what=as_phrase(what),
        ))
    return tag


def to_int(value: str) -> int | None:
    """Return the first integer in ``value``, or None."""
    match = re.search(r"\d+", value or "")
    return int(match.group()) if match and len(match.group()) < 9 else None
