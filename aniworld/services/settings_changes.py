"""Change several settings at once, all or nothing, with the Settings page's rules.

Used by ``PATCH /api/v1/settings``; the page's forms use the same checks (``hoster_names``,
``cookies_problem``) beside the validators of ``settings.py``, so a value is refused with
the same message wherever it comes from. Session in, no commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.errors import ValidationError
from aniworld.hosters import canonical_name, supported_hosters
from aniworld.phrases import Phrase
from aniworld.services.settings import (
    SECRET_FIELDS,
    SITE_OVERRIDES,
    AppSettings,
    effective_site_settings,
    load_settings,
    save_settings,
    validate_changes,
)
from aniworld.site.cookies import parse_cookies
from aniworld.site.mirrors import parse_base
from aniworld.sites import SITES

SETTING_NAMES = tuple(field.name for field in fields(AppSettings))
STORED, ENVIRONMENT = "stored", "environment"
# Proxy URLs may carry a user name and password: shown masked, taken in full.
PROXY_FIELDS = ("site_proxy", "sto_proxy")
MASK = "***"


class UnknownSettings(ValidationError):
    """The request names settings that do not exist (400: a typo, not a bad value)."""

    code = "unknown_setting"
    status = 400


class SettingsRejected(ValidationError):
    """One or more values are invalid; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), next(iter(errors)))
        self.errors = errors


def hoster_names(names: list[str]) -> list[str]:
    """The hosters as the registry spells them; raises ValidationError naming unknown ones."""
    unknown = [name for name in names if canonical_name(name) is None]
    if unknown:
        known = ", ".join(supported_hosters())
        raise ValidationError(Phrase("Unknown hoster %(names)s; use %(known)s",
                                     names=", ".join(unknown), known=known), "hoster_order")
    return [canonical_name(name) or name for name in names]


def cookie_host(urls: str) -> str:
    """The host the browser's cookies belong to: the preferred URL's (its name in IP form)."""
    first = urls.split(",")[0].strip()
    try:
        base = parse_base(first)
    except ValidationError:
        return urlsplit(first).hostname or ""  # the URL's own error is reported beside it
    return base.host or urlsplit(base.url).hostname or ""


def cookies_problem(text: str, urls: str) -> Phrase | None:
    """Why ``text`` holds no cookie for the site at ``urls`` (None when it holds some)."""
    host = cookie_host(urls)
    if parse_cookies(text, host):
        return None
    return Phrase("No cookies for %(host)s found in this text", host=host)


def apply_changes(session: Session, config: Config, changes: Mapping[str, Any]) -> AppSettings:
    """Validate every change, then store them all; raises before storing anything.

    Raises UnknownSettings for names that are no setting, SettingsRejected with every
    field's message otherwise (the caller rolls back: a combination error is found after
    the values were written into the session).
    """
    unknown = [name for name in changes if name not in SETTING_NAMES]
    if unknown:
        names, known = ", ".join(map(repr, unknown)), ", ".join(SETTING_NAMES)
        raise UnknownSettings(Phrase("unknown settings %(names)s; the settings are %(known)s",
                                     names=names, known=known) if len(unknown) > 1 else
                              Phrase("unknown setting %(names)s; the settings are %(known)s",
                                     names=names, known=known), unknown[0])
    changes = _unmasked(session, dict(changes))
    errors = {**validate_changes(**changes), **_page_checks(session, config, changes)}
    if errors:
        raise SettingsRejected(errors)
    settings = save_settings(session, **changes)
    errors = {}
    for site in changed_sites(changes):
        try:  # combinations: a SOCKS proxy with 'requests', stored with environment values
            effective_site_settings(config, settings, site)
        except ValidationError as exc:
            errors[exc.field or site] = exc.message
    if errors:
        raise SettingsRejected(errors)
    return settings


def mask_userinfo(url: str | None) -> str | None:
    """``url`` with its password (or a lone user name) replaced by ``***``."""
    if not url or "@" not in url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:{MASK}" if parts.password is not None else MASK
    return parts._replace(netloc=f"{user}@{host}").geturl()


def _unmasked(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """A proxy sent back as GET showed it (masked) keeps its stored value."""
    stored = load_settings(session)
    for name in PROXY_FIELDS:
        current = getattr(stored, name)
        if current and changes.get(name) == mask_userinfo(current) != current:
            changes[name] = current
    return changes


def _page_checks(session: Session, config: Config, changes: dict[str, Any]) -> dict[str, str]:
    """The checks the page's forms add to the validators (hoster names, cookie hosts)."""
    errors = {}
    order = changes.get("hoster_order")
    if isinstance(order, list) and all(isinstance(name, str) for name in order):
        try:
            changes["hoster_order"] = hoster_names([name.strip() for name in order])
        except ValidationError as exc:
            errors["hoster_order"] = exc.message
    stored = load_settings(session)
    for site in SITES:
        names = {target: name for name, target in SITE_OVERRIDES[site].items()}
        text = changes.get(names["cookies"])
        if isinstance(text, str) and text.strip():
            url_field = names["base_url"]
            urls = changes[url_field] if url_field in changes else getattr(stored, url_field)
            problem = cookies_problem(text, urls or config.site_settings(site).base_url)
            if problem:
                errors[names["cookies"]] = str(problem)
    return errors


def changed_sites(changes: Mapping[str, Any]) -> list[str]:
    """The sites whose settings ``changes`` touches (``site_doh`` touches both)."""
    return [site for site in SITES if set(changes) & set(SITE_OVERRIDES[site])]


def public_values(settings: AppSettings) -> dict[str, Any]:
    """Every setting but the secrets, JSON-ready (lists for tuples, strings for languages)."""
    values = asdict(settings)
    for name in SECRET_FIELDS:
        values.pop(name, None)
    for name in PROXY_FIELDS:
        values[name] = mask_userinfo(values[name])
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in values.items()}


def secret_states(config: Config, settings: AppSettings) -> dict[str, dict[str, Any]]:
    """Per secret: whether one is in effect and where it comes from (never its value)."""
    states = {}
    for name in sorted(SECRET_FIELDS):
        source = STORED if getattr(settings, name) else (
            ENVIRONMENT if _environment_secret(config, name) else None)
        states[name] = {"set": source is not None, "source": source}
    return states


def _environment_secret(config: Config, name: str) -> str | None:
    for site in SITES:
        if SITE_OVERRIDES[site].get(name) == "cookies":
            return config.site_settings(site).cookies
    return config.integration(name)
