"""Completeness of the German catalogue, and no page text left outside gettext.

The first tests extract every translatable string exactly as ``make translations`` does
(Babel's extractors with ``babel.cfg``, the same keywords, no network) and compare them
with ``aniworld/translations/de/LC_MESSAGES/messages.po``. The page tests render every page
in German and in English and look at the texts a user reads first (navigation, headings,
buttons, labels, legends, table headers): each must differ between the languages, except a
short list of words that are the same in both.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.web.conftest import AuthActions
from tests.web.test_i18n_pages import GERMAN, KEY, german_site  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "aniworld/translations/de/LC_MESSAGES/messages.po"
# The keywords of ``make translations`` (pybabel extract -k lazy_gettext -k _l -k N_ -k Phrase).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "N_": None, "Phrase": None}
ENGLISH = {"Accept-Language": "en-US"}
# Every page, with data: queued items, search results, a series in the library.
PAGES = ("/", "/library/", "/library/unmatched", "/wanted/", "/search/?q=drache",
         f"/series/{KEY}", "/queue/", "/status/", "/settings/")
# Texts that are the same in German and English, and the data of the pages.
SAME_IN_BOTH = {
    "Aniworld", "AniWorld", "S.to", "Status", "Deutsch", "English", "Hoster", "Server",
    "Normal", "Test", "Token:", "URLs:", "Cover", "Jellyfin", "Emby", "Plex", "Sonarr", "Film",
    "Downloads", "Container", "Proxy", "Transport", "impersonate", "requests", "mkv", "mp4",
    "name=value; …",
    "VOE Vidoza Vidmoly Doodstream Filemoon Vidara", "Kämpfer des Lichts: Die Rückkehr",
}
# Known English texts of each page (navigation, headings, buttons) that must not show.
ENGLISH_TEXTS = {
    "*": ("Library", "Wanted", "Queue", "Settings", "Log out", "Search"),
    "/": ("Needs your attention", "What's new"),
    "/library/": ("Scan library", "Download missing", "Library scan", "Monitoring"),
    "/library/unmatched": ("Folders that need your choice",),
    "/wanted/": ("Apply", "Monitored series only", "Newest first", "Missing and upgrades"),
    "/search/?q=drache": ("Add to library", "Series title", "Site"),
    f"/series/{KEY}": ("Refresh from site", "Download season", "Download all missing",
                       "Save preferences", "Monitored", "Title", "Languages"),
    "/queue/": ("Download queue", "Pause queue", "Active downloads", "Pending", "Completed",
                "Move group to top", "Remove group", "Set group priority", "Pause", "Remove",
                "Change", "Normal priority", "Pause group"),
    "/status/": ("Sites", "Hosters", "Last error", "Median speed"),
    "/settings/": ("Notifications", "Media server", "Artwork and metadata", "Sonarr bridge",
                   "Send a test", "Save", "Write now", "Add category", "Test the indexer",
                   "Values for Sonarr", "Categories", "Change password", "API keys"),
}


def message_key(message_id: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A message id as a dictionary key (plural ids become tuples)."""
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


@cache
def extracted() -> dict[str | tuple[str, ...], str]:
    """Every translatable string of templates and Python → where it was found first."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = message_key(message)
        if isinstance(key, tuple):
            key = tuple(part for part in key if part)  # gettext's keyword takes one part
            key = key[0] if len(key) == 1 else key
        found.setdefault(key, f"{filename}:{lineno}")
    return found


@cache
def catalogue() -> Catalog:
    with CATALOGUE.open("rb") as po:
        return read_po(po)


def translated(message: object) -> bool:
    """A non-empty German text (every plural form) that is not marked fuzzy."""
    strings = message.string if isinstance(message.string, list | tuple) else [message.string]
    return bool(strings) and all(strings) and not message.fuzzy


def test_extraction_finds_the_strings_of_templates_and_python() -> None:
    found = extracted()
    assert len(found) > 400
    assert "Download queue" in found and "Notification settings saved." in found
    assert ("%(count)s episode", "%(count)s episodes") in found
    assert "Download completed (series, episode, language, size, file)" in found  # _l()
    assert any(place.startswith("templates/") for place in found.values())
    assert any(place.startswith("aniworld/") for place in found.values())


def test_every_extracted_string_has_a_german_translation() -> None:
    messages = {message_key(m.id): m for m in catalogue() if m.id}
    # gettext of a plural entry's singular id answers its first form (one entry per id).
    messages.update({m.id[0]: m for m in catalogue() if isinstance(m.id, list | tuple)})
    missing = [f"{key!r} ({place})" for key, place in sorted(extracted().items(), key=str)
               if key not in messages or not translated(messages[key])]
    assert not missing, (f"{len(missing)} string(s) lack a German translation; run "
                         "`make translations` and fill in the msgstr:\n" + "\n".join(missing))


def test_the_catalogue_has_no_fuzzy_or_stale_entries() -> None:
    fuzzy = [m.id for m in catalogue() if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries (check and drop the fuzzy flag): {fuzzy}"
    stale = sorted((str(m.id) for m in catalogue()
                    if m.id and message_key(m.id) not in extracted()), key=str)
    assert not stale, f"entries no code uses any more (run make translations): {stale}"


class _Texts(HTMLParser):
    """The texts of navigation links, headings, buttons, labels, legends and table headers."""

    TAGS = frozenset({"h1", "h2", "h3", "button", "label", "legend", "th", "summary", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.in_nav = 0
        self.texts: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self.in_nav += 1
        if tag in self.TAGS or (self.in_nav and tag == "a"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_nav -= 1
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split()).removesuffix(" · Aniworld")  # <title>
        if self.open and re.search(r"[A-Za-z]{2}", text):
            self.texts.add(text)


def page_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def filled_site(german_site: AuthActions) -> Iterator[AuthActions]:  # noqa: F811
    """The German test site with a queued season (a group of episodes) and a search."""
    response = german_site.client.post(f"/series/{KEY}/downloads", data={
        "scope": "season", "season": "1", "csrf_token": german_site.csrf_token()})
    assert response.status_code in (200, 302, 303)
    yield german_site


def test_no_page_shows_english_headings_buttons_or_navigation(
        filled_site: AuthActions) -> None:
    client = filled_site.client
    assert "12 Folgen" in client.get("/queue/", headers=GERMAN).get_data(as_text=True)
    for path in PAGES:
        german = client.get(path, headers=GERMAN)
        assert german.status_code == 200, path
        html = german.get_data(as_text=True)
        assert '<html lang="de">' in html, path
        shown = page_texts(html)
        english = page_texts(client.get(path, headers=ENGLISH).get_data(as_text=True))
        untranslated = sorted((shown & english) - SAME_IN_BOTH)
        assert not untranslated, f"{path}: English text outside gettext: {untranslated}"
        for text in (*ENGLISH_TEXTS["*"], *ENGLISH_TEXTS[path]):
            assert text not in shown, f"{path}: {text!r} is shown in German"
            assert text in english, f"{path}: {text!r} is not on the English page any more"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]")


def test_every_translation_keeps_the_placeholders_of_its_english() -> None:
    """A German text that drops or renames a ``%(name)s`` would fall back to English."""
    broken = []
    for message in catalogue():
        if not message.id or not translated(message):
            continue
        ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
        strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                broken.append(f"{ids[0]!r} → {text!r}")
    assert not broken, "translations whose placeholders differ:\n" + "\n".join(broken)


def _marked_literals() -> Iterator[tuple[str, str]]:
    """Every string literal handed to ``N_`` or ``Phrase`` in the package, with its place."""
    for path in sorted((ROOT / "aniworld").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("N_", "Phrase") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                yield node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}"


def test_every_marked_sentence_is_extracted() -> None:
    """Babel skips an ``N_`` nested in a call it does not read: such a text stays English."""
    missed = [f"{text!r} ({place})" for text, place in _marked_literals()
              if text not in extracted()]
    assert not missed, ("marked but not extracted (hoist it into a module constant):\n"
                        + "\n".join(missed))
