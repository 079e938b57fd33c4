"""Request parsing shared by the HTML views and the JSON API; every failure names the field.

JSON bodies for ``/api`` (422 on a bad field), form fields for the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from flask import request
from werkzeug.exceptions import BadRequest

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import Priority
from aniworld.phrases import Phrase, about, phrase_of
from aniworld.services.library.wanted import WantedFilter, WantedKind, WantedSort

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def json_body() -> dict[str, Any]:
    """Return the request's JSON object.

    Raises BadRequest (400) for JSON nested too deeply to parse, ValidationError (422) for
    anything but an object, or for a string that is not valid Unicode (naming its field).
    """
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        # json.loads recurses once per level: thousands of "[" exhaust the stack.
        raise BadRequest("the JSON body is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValidationError("send a JSON object with Content-Type: application/json")
    for field, value in data.items():
        if not _encodable(field) or not _encodable(value):
            raise ValidationError(f"{field!r} holds text that is not valid Unicode "
                                  "(a lone surrogate such as \\ud800)", field)
    return data


def _encodable(value: object) -> bool:
    """Whether every string in ``value`` encodes as UTF-8 (no lone surrogates).

    Iterative rather than recursive: the parser accepts nesting deeper than is safe to
    recurse into again.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def integer(data: dict[str, Any], field: str, minimum: int, maximum: int = 100_000) -> int:
    """Return ``data[field]`` as an int within bounds (booleans are not integers)."""
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be an integer", field)
    if not minimum <= value <= maximum:
        raise ValidationError(f"{field} must be between {minimum} and {maximum}", field)
    return value


def text(data: dict[str, Any], field: str, max_length: int = 200) -> str:
    """Return ``data[field]`` as a non-empty string."""
    value = data.get(field)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise ValidationError(f"{field} must be a non-empty string (max {max_length})", field)
    return value.strip()


def flag(data: dict[str, Any], field: str, default: bool = False) -> bool:
    """Return the optional boolean ``data[field]``."""
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false", field)
    return value


def parse_field(field: str, value: str, parse: Callable[[str], T]) -> T:
    """Return ``parse(value)``; its ValueError becomes a ValidationError naming ``field``."""
    try:
        return parse(value)
    except ValueError as exc:
        raise ValidationError(phrase_of(exc), field) from None


def _choice(data: dict[str, Any], field: str, parse: Callable[[str], T], default: T) -> T:
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(about(field, Phrase("must be a string")), field)
    return parse_field(field, value, parse)


def language(data: dict[str, Any]) -> Language | None:
    """Return the optional ``language`` field; None (the best one offered) when absent."""
    return _choice(data, "language", Language.parse, None)


def priority(data: dict[str, Any], default: Priority = Priority.NORMAL) -> Priority:
    """Return the optional ``priority`` field as a Priority."""
    return _choice(data, "priority", Priority.parse, default)


def required_priority(data: dict[str, Any]) -> Priority:
    """The ``priority`` field a change of priority cannot do without."""
    if "priority" not in data:
        raise ValidationError(Phrase("priority is required (high, normal or low)"), "priority")
    return priority(data)


def form_priority(default: str = "") -> Priority:
    """The ``priority`` form field (high, normal or low; ``default`` when absent)."""
    return parse_field("priority", request.values.get("priority", default), Priority.parse)


def wanted_filter(values: Mapping[str, Any]) -> WantedFilter:
    """The Wanted view's ``kind``, ``language``, ``monitored`` and ``sort``, each optional.

    Takes query arguments, form fields or a JSON object (an empty value is the default);
    raises ValidationError naming the field.
    """
    return WantedFilter(
        kind=_optional(values, "kind", _member(WantedKind, "kind"), WantedKind.ALL),
        language=_optional(values, "language", Language.parse, None),
        monitored=_on_off(values, "monitored"),
        sort=_optional(values, "sort", _member(WantedSort, "sort"), WantedSort.AIR))


def page_number(values: Mapping[str, Any], maximum: int = 100_000) -> int:
    """The optional ``page`` (1 and up) from query arguments or a JSON object."""
    return whole_number(values, "page", 1, 1, maximum)


def whole_number(values: Mapping[str, Any], field: str, default: int, minimum: int = 0,
                 maximum: int = 1_000_000) -> int:
    """The optional whole number ``field`` within bounds, from query arguments or JSON."""
    value = values.get(field, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(about(field, Phrase(
            "must be a whole number from %(low)s to %(high)s", low=minimum, high=maximum)), field)
    return value


def _optional(values: Mapping[str, Any], field: str, parse: Callable[[str], T], default: T) -> T:
    value = values.get(field)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ValidationError(about(field, Phrase("must be a string")), field)
    return parse_field(field, value, parse)


def _member(choices: type[E], field: str) -> Callable[[str], E]:
    """A parser for one value of the enum ``choices``; its ValueError lists them."""
    def parse(value: str) -> E:
        try:
            return choices(value.strip().lower())
        except ValueError:
            valid = ", ".join(choice.value for choice in choices)
            raise ValueError(f"{field} must be one of: {valid} (not {value!r})") from None
    return parse


def _on_off(values: Mapping[str, Any], field: str) -> bool:
    """A flag given as true/false (JSON) or 1/0, on, true/false (query and form)."""
    value = values.get(field, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _FLAG_TEXT:
        return _FLAG_TEXT[value.strip().lower()]
    raise ValidationError(f"{field} must be true or false (1 or 0)", field)


_FLAG_TEXT = {"": False, "0": False, "false": False, "off": False,
              "1": True, "true": True, "on": True}
