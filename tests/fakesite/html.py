"""Escaping, slugs and the shared page shell (reference §7.2)."""

from __future__ import annotations

import re
import unicodedata

ANIWORLD_SUFFIX = "AniWorld.to - Animes gratis legal online ansehen"

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def esc(text: str) -> str:
    """Escape like PHP htmlspecialchars(ENT_QUOTES): the apostrophe becomes ``&#039;``."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


def slugify(text: str) -> str:
    """Lower-case ASCII slug: umlauts transliterated, other runs of symbols become ``-``."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def page(title: str, blocks: str) -> str:
    """Wrap page blocks in the shared head and ``#wrapper`` containers."""
    return (
        '<!doctype html>\n<html lang="de"><head><meta charset="utf-8">\n'
        f"<title>{esc(title)} | {esc(ANIWORLD_SUFFIX)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "</head><body>\n"
        '<div id="wrapper">\n  <div class="seriesContentBox">\n'
        f'    <div class="container marginBottom">\n{blocks}\n    </div>\n'
        "  </div>\n</div></body></html>\n"
    )


def soft_404() -> str:
    """The 200 page an unknown series slug answers with."""
    sentence = "Die gewünschte Serie wurde nicht gefunden oder ist im Moment deaktiviert."
    return page("Fehler", f'<div class="messageAlert danger">{esc(sentence)}</div>')
