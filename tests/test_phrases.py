"""Phrases: English by default, the reader's language where rendered, and none forgotten.

The last test is the guard of issue 15's "every user-facing message is translatable": no
error Aniworld raises on purpose may be built from a finished English string (a literal or
an f-string) outside the web layer; it must carry a ``Phrase`` whose sentence the catalogue
extracts. Messages only an operator reads at start-up (configuration, embedded Redis,
database URL) stay English, as the log does.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import aniworld
from aniworld.errors import AniworldError, ValidationError
from aniworld.languages import Language
from aniworld.phrases import (
    Number,
    Phrase,
    about,
    as_phrase,
    phrase_of,
    reason_about,
    render,
    stored,
    translator,
)

ROOT = Path(__file__).resolve().parents[1]
# Read by whoever starts the processes, in a terminal or the process log, never in a page.
OPERATOR_ONLY = {"aniworld/config.py", "aniworld/embedded_redis.py", "aniworld/database.py"}
# Class attributes an error formats its message from: they must be N_("...") too.
TEMPLATES = {"template", "hint"}


def test_a_phrase_is_english_until_rendered_otherwise() -> None:
    phrase = Phrase("must be a whole number from %(low)s to %(high)s", low=1, high=5)
    assert str(phrase) == "must be a whole number from 1 to 5"
    assert render(phrase, "de") == "muss eine ganze Zahl von 1 bis 5 sein"
    assert render(phrase, "en") == str(phrase)


def test_nested_phrases_render_in_the_same_language() -> None:
    inner = Phrase("must be a whole number from %(low)s to %(high)s", low=1, high=5)
    outer = Phrase("%(field)s: %(reason)s", field="Workers", reason=inner)
    assert str(outer) == "Workers: must be a whole number from 1 to 5"
    assert render(outer, "de") == "Workers: muss eine ganze Zahl von 1 bis 5 sein"


def test_a_reason_about_a_field_reads_whole_or_alone() -> None:
    reason = Phrase("must be mp4 or mkv")
    message = about("container", reason)
    assert str(message) == "container must be mp4 or mkv"
    assert str(about("container", reason, colon=True)) == "container: must be mp4 or mkv"
    assert render(message, "de") == "container muss mp4 oder mkv sein"
    assert reason_about(message, "container") == reason
    assert reason_about(message, "other") == message  # beside another field: the whole text
    assert reason_about("container must be mp4", "container") == "container must be mp4"


def test_a_plain_exception_may_carry_a_phrase() -> None:
    with pytest.raises(ValueError) as caught:
        Language.parse("klingon")
    assert str(caught.value).startswith("unknown language 'klingon'; use one of: german-dub")
    assert render(phrase_of(caught.value), "de").startswith("unbekannte Sprache 'klingon'")
    assert phrase_of(ValueError("plain")) == "plain"


def test_a_phrase_survives_json() -> None:
    phrase = Phrase("%(a)s %(b)s", a=Phrase("x %(n)s", n=3), b=object())
    back = Phrase.from_json(phrase.to_json())
    assert back is not None and str(back) == str(phrase)
    assert Phrase.from_json(None) is None and Phrase.from_json("{not json") is None
    assert Phrase.from_json('"just a string"') is None


def test_a_number_reads_as_before_in_english_and_with_a_comma_in_german() -> None:
    phrase = Phrase("the video lasts %(actual)s s but should last %(expected)s s; it will be "
                    "downloaded again", actual=Number(12.34, 1), expected=Number(1234.5, 1))
    assert str(phrase) == ("the video lasts 12.3 s but should last 1234.5 s; it will be "
                           "downloaded again")
    assert render(phrase, "en") == str(phrase)
    german = render(phrase, "de")
    assert "12,3 s" in german and "1234,5 s" in german and german != str(phrase)
    # Rounded exactly as the English f-string rounds (2.675 is 2.67499… as a float).
    for value, digits in ((2.675, 2), (0.5, 0), (1.5, 0), (7, 0), (1234567.25, 1)):
        english = f"{value:.{digits}f}"
        assert str(Number(value, digits)) == english
        assert render(Phrase("%(size)s GiB", size=Number(value, digits)), "de") == (
            english.replace(".", ",") + " GiB")


def test_a_number_survives_json() -> None:
    phrase = Phrase("%(outer)s", outer=Phrase("%(size)s GiB", size=Number(1.5, 2)))
    back = Phrase.from_json(phrase.to_json())
    assert back == phrase and str(back) == "1.50 GiB"
    assert '"number":1.5,"digits":2' in phrase.to_json()
    assert render(back, "de") == "1,50 GiB"


def test_stored_prefers_the_phrase_and_falls_back_to_the_english_text() -> None:
    phrase = Phrase("must list each language once")
    assert stored("old text", phrase.to_json()) == phrase
    assert stored("old text", None) == "old text"
    assert stored(None, None) is None


def test_a_translation_that_does_not_fit_its_values_falls_back_to_english() -> None:
    broken = {"Size %(size)s": "Größe %(bytes)s"}.get
    phrase = Phrase("Size %(size)s", size=3)
    assert phrase.render(lambda text: broken(text, text)) == "Size 3"


def test_errors_keep_english_and_their_phrase() -> None:
    error = ValidationError(Phrase("Must be auto, de or en"), field="ui_language")
    assert error.message == str(error) == "Must be auto, de or en"
    assert error.phrase == Phrase("Must be auto, de or en") and error.field == "ui_language"
    assert AniworldError("plain").phrase == as_phrase("plain")
    assert translator(None)("Save") == "Save"


def _error_classes() -> set[str]:
    for module in pkgutil.walk_packages(aniworld.__path__, "aniworld."):
        if not module.name.startswith("aniworld.web"):
            importlib.import_module(module.name)
    names: set[str] = set()
    pending = [AniworldError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _finished_english(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _finished_english(node.left) or _finished_english(node.right)
    return False


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _english_template(node: ast.AST, classes: set[str]) -> bool:
    """A ``template``/``hint`` class attribute of an error class that is not ``N_(...)``."""
    return (isinstance(node, ast.ClassDef) and node.name in classes
            and any(isinstance(item, ast.Assign) and _finished_english(item.value)
                    and any(getattr(t, "id", "") in TEMPLATES for t in item.targets)
                    for item in node.body))


def english_errors() -> list[str]:
    """Places outside web/ that build an Aniworld error from a finished English string."""
    classes = _error_classes()
    found = []
    for path in sorted((ROOT / "aniworld").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("aniworld/web/") or relative in OPERATOR_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if (isinstance(node, ast.Call) and _called_name(node) in classes and node.args
                    and _finished_english(node.args[0])):
                found.append(f"{relative}:{node.lineno} {_called_name(node)}")
            elif _english_template(node, classes):
                found.append(f"{relative}:{node.lineno} {node.name}.template")
    return found


def test_no_error_is_built_from_a_finished_english_sentence() -> None:
    found = english_errors()
    assert not found, (f"{len(found)} error(s) built from English text; raise them with "
                       "Phrase('… %(value)s …', value=…) so pages can translate them:\n"
                       + "\n".join(found))
