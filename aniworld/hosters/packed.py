"""Unpacker for Dean Edwards' ``eval(function(p,a,c,k,e,d){...})`` JavaScript packer."""

from __future__ import annotations

import re

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The packer's call ends with ('<payload>', <radix>, <count>, '<words>'.split('|') ...
_ARGS = re.compile(
    r"\}\s*\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*'((?:[^'\\]|\\.)*)'"
    r"\s*\.split\(\s*'\|'\s*\)",
    re.DOTALL,
)
_WORD = re.compile(r"\b\w+\b", re.ASCII)


class UnpackError(ValueError):
    """The script is not (or not validly) packed."""


def is_packed(script: str) -> bool:
    """True when the text contains a packed ``eval(function(p,a,c,k,e,d)`` block."""
    return "eval(function(p,a,c,k,e," in script.replace(" ", "")


def unpack(script: str) -> str:
    """Return the source of the first packed block; raise UnpackError if there is none."""
    match = _ARGS.search(script)
    if match is None:
        raise UnpackError("no packed arguments found")
    payload, radix, count = _unescape(match[1]), int(match[2]), int(match[3])
    words = _unescape(match[4]).split("|")
    if not 2 <= radix <= len(_DIGITS):
        raise UnpackError(f"unsupported radix {radix}")
    if count > len(words):
        raise UnpackError(f"word count {count} does not match {len(words)} words")

    def replace(word: re.Match[str]) -> str:
        index = _to_int(word[0], radix)
        if index is None or index >= len(words) or not words[index]:
            return word[0]
        return words[index]

    return _WORD.sub(replace, payload)


def _to_int(token: str, radix: int) -> int | None:
    value = 0
    for char in token:
        digit = _DIGITS.find(char)
        if digit < 0 or digit >= radix:
            return None
        value = value * radix + digit
    return value


def _unescape(text: str) -> str:
    # The packer escapes only backslashes and single quotes inside its string literals.
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)
