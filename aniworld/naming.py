"""Library file names from a template, with every path component made safe (pure)."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from string import Formatter

from aniworld.errors import ValidationError
from aniworld.phrases import N_, Phrase
from aniworld.sites import DEFAULT_SITE

DEFAULT_TEMPLATE = (
    "{series} ({year})/Season {season:02}/"
    "{series} - S{season:02}E{episode:02} - {title} [{language}].{ext}"
)
# ``site`` is the series' site (aniworld.sites.SITES): "aniworld" or "sto".
FIELDS = {"series", "year", "season", "episode", "title", "language", "ext", "site"}
MAX_COMPONENT_BYTES = 180
_NUMBERS = {"season", "episode"}  # the year may be unknown (""): no spec fits both
_PADDING = re.compile(r"0?[1-4]?d?")  # {season:02}, {episode:3d}; nothing nested or wide
_NEEDED = {
    "episode": N_("the naming template must contain {episode}, or every episode of a season "
                  "gets the same file name"),
    "season": N_("the naming template must contain {season} (in the file name or a season "
                 "folder), or episodes of different seasons get the same file name"),
}
_FIELD = "naming_template"
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
_REPLACE = {":": " -", "/": "-", "\\": "-", "|": "-", "<": "(", ">": ")", '"': "'"}
_DROP = re.compile(r"[?*\x00-\x1f\x7f]")
_EMPTY_YEAR = re.compile(r"\s*\(\s*\)|\s*\[\s*\]")
_SPACES = re.compile(r"\s+")


def validate_template(template: str) -> None:
    """Raise ValidationError(field="naming_template") unless ``template`` is usable.

    Usable means: a relative path ending in ``.{ext}``, made of the known fields only,
    with ``{season}`` and ``{episode}`` in it (else two episodes share one file name) and
    no format spec beyond zero-padding a number.
    """
    if not template.strip():
        raise ValidationError(Phrase("the naming template is empty"), field=_FIELD)
    if template.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", template):
        raise ValidationError(Phrase("the naming template must be a relative path"),
                              field=_FIELD)
    if any(part.strip() == ".." for part in re.split(r"[/\\]", template)):
        raise ValidationError(Phrase("the naming template must not contain '..'"),
                              field=_FIELD)
    names = _field_names(template)
    unknown = sorted({name for name in names if name not in FIELDS})
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(FIELDS))
        raise ValidationError(Phrase(
            "unknown field(s) %(names)s in the naming template; use %(allowed)s",
            names=", ".join(unknown), allowed=allowed), field=_FIELD)
    for needed in _NEEDED:
        if needed not in names:
            raise ValidationError(Phrase(_NEEDED[needed]), field=_FIELD)
    if not template.endswith("{ext}"):
        raise ValidationError(Phrase("the naming template must end with .{ext}"),
                              field=_FIELD)
    _render(template, series="S", year=2000, season=1, episode=1, title="T", language="L",
            ext="mp4", site=DEFAULT_SITE)


def _field_names(template: str) -> list[str]:
    """The template's field names; ValidationError for a spec a file name does not need."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValidationError(Phrase("the naming template is malformed: %(error)s",
                                     error=str(exc)), field=_FIELD) from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or "." in name or "[" in name:
            raise ValidationError(Phrase(
                "%(name)s is not a field: use plain names like {series}, without attribute "
                "or index access", name=f"{{{name}}}"), field=_FIELD)
        if conversion or (spec and not (name in _NUMBERS and _PADDING.fullmatch(spec))):
            raise ValidationError(Phrase(
                "%(name)s has a format spec a file name does not need; only season and "
                "episode may be zero-padded, e.g. {season:02} (at most 4 digits)",
                name=f"{{{name}}}"), field=_FIELD)
        names.append(name)
    return names


def _render(template: str, **values: object) -> str:
    try:
        return template.format(**values)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValidationError(Phrase("the naming template has a bad format spec: %(error)s",
                                     error=str(exc)), field=_FIELD) from exc


def render_path(
    library_dir: Path,
    template: str,
    *,
    series: str,
    year: int | None,
    season: int,
    episode: int,
    title: str,
    language: str,
    ext: str,
    series_folder: str | None = None,
    site: str = DEFAULT_SITE,
) -> Path:
    """The absolute library path of an episode; ValidationError if it would escape.

    ``series_folder`` (the folder a library scan matched to the series) replaces the
    template's first folder, so new episodes land beside the ones the user already has.
    ``site`` fills ``{site}``.
    """
    validate_template(template)
    values = {
        "series": clean_field(series) or "Unknown series",
        "title": clean_field(title) or f"Episode {episode}",
        "language": clean_field(language) or "Unknown",
        "ext": clean_field(ext).lstrip(".") or "mkv",
        "site": clean_field(site) or DEFAULT_SITE,
    }
    text = _render(
        template, year=year if year is not None else "", season=season, episode=episode, **values
    )
    if year is None:
        text = _EMPTY_YEAR.sub("", text)  # "Show ()" -> "Show" when the year is unknown
    parts = [clean_component(part) for part in text.split("/")]
    parts = [part for part in parts if part]
    if not parts:
        raise ValidationError(Phrase("the naming template renders to an empty path"),
                              field=_FIELD)
    folder = existing_folder_name(series_folder or "")
    if folder and len(parts) > 1:
        parts[0] = folder
    return _inside(library_dir, parts)


def existing_folder_name(name: str) -> str:
    """A folder name found on disk, kept as it is when it is one harmless component.

    "Re:Zero (2016)" is a legal Linux folder: cleaning it to "Re -Zero (2016)" would put
    new episodes into a second folder beside the user's own. Anything that could leave the
    library or hide itself is cleaned like a rendered name.
    """
    unsafe = ("/" in name or "\\" in name or _DROP.search(name) or name.startswith(".")
              or name != name.strip(" .") or name.split(".")[0].strip().upper() in _RESERVED
              or len(name.encode()) > MAX_COMPONENT_BYTES)
    return clean_component(name) if unsafe else name


def _inside(library_dir: Path, parts: list[str]) -> Path:
    """``parts`` below the library folder, checked on the names alone (lexically).

    Series folders may be symbolic links to other disks, so following links would refuse a
    normal setup; what must hold is that no name walks out of the library: no empty, "."
    or ".." part, no separator inside a part, nothing absolute.
    """
    root = library_dir.resolve()  # the folder the user chose; only its own links resolve
    target = root.joinpath(*parts)
    unsafe = any(part in ("", ".", "..") or "/" in part or "\\" in part for part in parts)
    if unsafe or Path(os.path.normpath(target)) != target or root not in target.parents:
        raise ValidationError(Phrase("the rendered file name leaves the library folder"),
                              field=_FIELD)
    return target


def clean_field(value: str) -> str:
    """A field value with path separators and forbidden characters replaced."""
    value = unicodedata.normalize("NFC", str(value))
    for bad, good in _REPLACE.items():
        value = value.replace(bad, good)
    value = _DROP.sub("", value)
    # Leading dots would hide files; trailing dots and spaces are stripped by Windows/SMB.
    return _SPACES.sub(" ", value).strip(" .")


def clean_component(part: str) -> str:
    """One path component made safe on Linux, Windows shares and macOS."""
    part = _SPACES.sub(" ", _DROP.sub("", part.replace("\\", "-"))).strip()
    for bad, good in _REPLACE.items():
        part = part.replace(bad, good)
    part = part.strip(" .")
    if part in {"", ".", ".."}:
        return ""
    stem = part.split(".")[0].strip().upper()
    if stem in _RESERVED:
        part = "_" + part
    return _cap(part)


def _cap(part: str) -> str:
    """Cut a component to MAX_COMPONENT_BYTES of UTF-8, keeping a short extension."""
    if len(part.encode()) <= MAX_COMPONENT_BYTES:
        return part
    stem, dot, ext = part.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = part, ""
    suffix = f".{ext}" if ext else ""
    budget = MAX_COMPONENT_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(" .")
    return (cut or "_") + suffix
