"""Sentences for people, built by the core and worded in the reader's language at the edge.

The core knows no Flask and no reader, so it cannot translate. It builds a ``Phrase``: the
English sentence (the catalogue's message id, with ``%(name)s`` placeholders) and its values
kept apart. ``str()`` gives English (logs, the JSON API, the English column of a stored
error); the web edge renders it with the page's catalogue, the workers with the instance's
default language (notifications). A stored phrase travels as JSON (``to_json``). A decimal
value is a ``Number``: English as before, ``12,3`` in German.

``Phrase`` and ``N_`` are extraction keywords of ``make translations``: only a string
literal as first argument is found, so every user-facing sentence is written out in place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

logger = logging.getLogger(__name__)

Translate = Callable[[str], str]
# Writes a Number in the reader's language: (value, digits) -> "12,3".
FormatNumber = Callable[[float, int], str]
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
ENGLISH = "en"


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name for "mark only")
    """Mark ``text`` for extraction without translating it (class-level templates)."""
    return text


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Number:
    """A decimal value of a phrase, written with the reader's decimal sign ("12,3" in German).

    ``str()`` is the English text, exactly ``f"{value:.{digits}f}"`` (no thousands grouping).
    """

    value: float
    digits: int = 0

    def __str__(self) -> str:
        return f"{self.value:.{self.digits}f}"

    def rounded(self) -> Decimal:
        """The value rounded as ``str()`` rounds it, for a locale's formatter to write as is."""
        return Decimal(str(self))


def number_pattern(digits: int) -> str:
    """Babel's pattern for ``digits`` decimals without grouping: ``0.0``, ``0``."""
    return "0." + "0" * digits if digits > 0 else "0"


def number_formatter(locale: str | None) -> FormatNumber | None:
    """How ``locale`` writes a Number (None for English, which writes it as ``str()`` does)."""
    if not locale or locale == ENGLISH:
        return None

    def write(value: float, digits: int) -> str:
        number = Number(value, digits)
        return format_decimal(number.rounded(), format=number_pattern(digits), locale=locale)

    return write


class Phrase:
    """An English sentence with its values, translatable wherever it is shown.

    Values may be phrases themselves (rendered in the same language first) or ``Number``s
    (written with the reader's decimal sign).
    """

    __slots__ = ("params", "text")

    def __init__(self, text: str, /, **params: object) -> None:
        self.text = text
        self.params: dict[str, object] = params

    def render(self, translate: Translate = _same, number: FormatNumber | None = None) -> str:
        """The sentence through ``translate`` (a gettext), values filled in.

        ``number`` writes the ``Number`` values (default: English, as ``str()``).
        """
        values = {name: _rendered(value, translate, number)
                  for name, value in self.params.items()}
        template = translate(self.text)
        if not values:
            return template
        try:
            return template % values
        except (KeyError, ValueError, TypeError) as exc:
            # A broken translation must never hide the message: fall back to English.
            logger.error("translation of %r does not fit its values error=%s", self.text, exc)
            try:
                return self.text % values
            except (KeyError, ValueError, TypeError):  # a stored row that was edited by hand
                return self.text

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Phrase({self.text!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Phrase) and other.text == self.text
                and other.params == self.params)

    def __hash__(self) -> int:
        return hash(self.text)

    def to_data(self) -> dict[str, Any]:
        """Plain data for JSON: nested phrases become dicts, other values str/int/float."""
        return {"text": self.text, "params": {name: _value_data(value)
                                              for name, value in self.params.items()}}

    def to_json(self) -> str:
        """The phrase as a JSON text (a stored error's second column)."""
        return json.dumps(self.to_data(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Phrase:
        """The phrase back from ``to_data``'s dict."""
        params = {name: _value_from_data(value)
                  for name, value in dict(data.get("params") or {}).items()}
        return cls(str(data["text"]), **params)

    @classmethod
    def from_json(cls, raw: str | None) -> Phrase | None:
        """The phrase stored by ``to_json``; None for no text or text that is not one."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return cls.from_data(data) if isinstance(data, dict) and "text" in data else None
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("stored phrase unreadable error=%s", exc)
            return None


def _rendered(value: object, translate: Translate, number: FormatNumber | None) -> object:
    if isinstance(value, Phrase):
        return value.render(translate, number)
    if isinstance(value, Number) and number is not None:
        return number(value.value, value.digits)
    return value


def _value_data(value: object) -> object:
    if isinstance(value, Phrase):
        return value.to_data()
    if isinstance(value, Number):
        return {"number": value.value, "digits": value.digits}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _value_from_data(value: object) -> object:
    if isinstance(value, dict) and "number" in value and "text" not in value:
        return Number(float(value["number"]), int(value.get("digits") or 0))
    return Phrase.from_data(value) if isinstance(value, dict) else value


def as_phrase(message: str | Phrase) -> Phrase:
    """A phrase for ``message``; a plain string becomes one without values."""
    return message if isinstance(message, Phrase) else Phrase(message)


def stored(english: str | None, phrase_json: str | None) -> str | Phrase | None:
    """What a row's error columns say: the phrase when stored, else the English text."""
    return Phrase.from_json(phrase_json) or english


class Worded:
    """Mixin of a stored status that says ``message`` in English and keeps its phrase.

    The dataclass using it declares ``message: str`` and ``message_phrase: str | None``.
    """

    message: str
    message_phrase: str | None

    @property
    def sentence(self) -> str | Phrase:
        """``message`` for the pages: its phrase when stored (the reader's language)."""
        return stored(self.message, self.message_phrase) or ""


def worded(message: str | Phrase) -> dict[str, str | None]:
    """``message`` and ``message_phrase`` of a status saying ``message`` (for ``replace``)."""
    phrase = as_phrase(message)
    return {"message": str(phrase), "message_phrase": phrase.to_json()}


@cache
def _catalogue(locale: str) -> NullTranslations:
    if locale == ENGLISH:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def translator(locale: str | None) -> Translate:
    """The gettext of ``locale`` (``de``, ``en``) for code that runs without a request."""
    return _catalogue(locale or ENGLISH).gettext


def render(message: str | Phrase | None, locale: str | None) -> str:
    """``message`` in ``locale`` (outside a request: workers, notifications)."""
    if message is None:
        return ""
    return as_phrase(message).render(translator(locale), number_formatter(locale))


_ABOUT = ("%(field)s %(reason)s", "%(field)s: %(reason)s")


def about(field: str, reason: str | Phrase, *, colon: bool = False) -> Phrase:
    """``<field> <reason>`` (or ``<field>: <reason>``): why the value of ``field`` is refused.

    The JSON API reads the whole sentence; a page that shows the message beside its field
    shows ``reason`` alone (``reason_about``). ``reason`` starts lower case, as mid-sentence.
    """
    if colon:
        return Phrase("%(field)s: %(reason)s", field=field, reason=reason)
    return Phrase("%(field)s %(reason)s", field=field, reason=reason)


def reason_about(message: str | Phrase, field: str) -> str | Phrase:
    """The reason of an ``about(field, …)`` phrase; any other message as it is."""
    if (isinstance(message, Phrase) and message.params.get("field") == field
            and "reason" in message.params and message.text in _ABOUT):
        return as_phrase(message.params["reason"])  # type: ignore[arg-type]
    return message


def phrase_of(exc: BaseException) -> str | Phrase:
    """The phrase a plain exception (``ValueError(Phrase(…))``) was raised with, else its text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Phrase) else str(exc)


# Only the parts of a joined phrase are translated, not how they are put together.
_JOINED = "%(first)s%(separator)s%(second)s"


def _chained(parts: list[Phrase], template: str, **link: object) -> Phrase | str:
    """``parts`` nested pairwise into ``template`` (``first``, ``second``); "" for none."""
    if not parts:
        return ""
    result = parts[0]
    for part in parts[1:]:
        result = Phrase(template, first=result, second=part, **link)
    return result


def either(parts: list[Phrase]) -> Phrase | str:
    """``a or b or c`` with a translated "or" ("" for no parts)."""
    return _chained(parts, N_("%(first)s or %(second)s"))


def joined(parts: list[Phrase], separator: str) -> Phrase | str:
    """One phrase of ``parts`` in order with ``separator`` between them ("" for none)."""
    return _chained(parts, _JOINED, separator=separator)
