"""Languages and time zones of the pages: Flask-Babel wiring, the switch, the Jinja filters.

The language of a page is the browser's own choice (a cookie set by the switch in the
navigation), else the default in Settings, else the best match of ``Accept-Language``, else
English. The JSON API always answers in English, whatever the browser prefers.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    gettext,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from aniworld.errors import AniworldError
from aniworld.extensions import babel, db
from aniworld.languages import Language
from aniworld.phrases import Number, Phrase, as_phrase, number_pattern, stored
from aniworld.services.episode_status import EpisodeState, EpisodeStatus
from aniworld.services.settings import DEFAULT_TIMEZONE, AppSettings, load_settings

logger = logging.getLogger(__name__)

bp = Blueprint("i18n", __name__)

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
COOKIE = "aniworld_language"
COOKIE_MAX_AGE = 365 * 24 * 3600
SIZE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")
LANGUAGE_LABELS = {Language.GERMAN_DUB: _l("German Dub"), Language.GERMAN_SUB: _l("German Sub"),
                   Language.ENGLISH_SUB: _l("English Sub"), Language.ENGLISH_DUB: _l("English Dub")}
STATE_LABELS = {EpisodeState.ON_DISK: _l("on disk"), EpisodeState.QUEUED: _l("queued"),
                EpisodeState.MISSING: _l("missing"), EpisodeState.FAILED: _l("failed")}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and register the formatting filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_locale=DEFAULT_LOCALE)
    app.jinja_env.filters.update(number=format_number, size=format_size, speed=format_speed,
                                 datetime=format_moment, date=format_day, time=format_clock)
    app.jinja_env.filters.update(language_label=language_label, status_label=status_label,
                                 localize=localize)
    app.jinja_env.globals.update(language_names=LANGUAGE_NAMES, page_language=page_language,
                                 language_label=language_label)


def _settings() -> AppSettings:
    """The stored settings; the defaults while the database cannot answer (error pages)."""
    try:
        return load_settings(db.session)
    except SQLAlchemyError as exc:
        logger.warning("settings unreadable, using default language error=%s", exc)
        return AppSettings()


def select_locale() -> str:
    """Cookie, else the Settings default, else Accept-Language, else English; API: English."""
    if request.path.startswith("/api/"):
        return DEFAULT_LOCALE
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    default = _settings().ui_language
    if default in LOCALES:
        return default
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def page_language() -> str:
    """The two-letter code of the page's language (``<html lang>``, the switch)."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LOCALE


def select_timezone() -> str:
    """The time zone chosen in Settings (UTC by default)."""
    return _settings().ui_timezone or DEFAULT_TIMEZONE


@bp.post("/language")
def choose_language() -> Response:
    """Remember this browser's language (``language``: de, en or auto) and go back."""
    from aniworld.web.auth import safe_next  # auth → settings → i18n: import when called
    language = request.form.get("language", "")
    response = redirect(safe_next(request.form.get("next")), 303)
    if language in LOCALES:
        response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, httponly=True,
                            samesite="Lax")
    else:
        response.delete_cookie(COOKIE)
    return response


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """``1234.5`` → ``1,234.5`` (en) or ``1.234,5`` (de); ``digits`` fixes the decimals."""
    if value is None:
        return "–"
    if digits is None:
        return format_decimal(value)
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern)


def format_size(value: float | int | None) -> str:
    """Bytes in binary units with one decimal: ``1.9 MiB`` (en), ``1,9 MiB`` (de)."""
    if value is None:
        return "–"
    number, unit = float(value), SIZE_UNITS[0]
    for unit in SIZE_UNITS:
        if abs(number) < 1024 or unit == SIZE_UNITS[-1]:
            break
        number /= 1024
    if unit == "B":
        return f"{format_number(int(number), 0)} B"
    return f"{format_number(number, 1)} {unit}"


def format_speed(value: float | int | None) -> str:
    """Bytes per second: ``2.5 MiB/s``."""
    return "–" if value is None else f"{format_size(value)}/s"


def format_moment(value: datetime | str | None, style: str = "short") -> str:
    """A moment (or its ISO text) in the user's time zone and language (naive means UTC)."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, style)


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A calendar day in the page's language."""
    if value is None:
        return "–"
    return format_date(value, style)


def format_clock(value: datetime | None) -> str:
    """A time of day in the user's time zone."""
    return "–" if value is None else format_time(value, "short")


def language_label(language: Language | str) -> str:
    """A language variant's name on the page: ``German Dub`` / ``Deutsch (Synchro)``."""
    language = Language.parse(str(language))
    return str(LANGUAGE_LABELS.get(language, language.label))


def status_label(status: EpisodeStatus) -> str:
    """An episode's status cell in the page's language (see ``EpisodeStatus.label``)."""
    if status.state is EpisodeState.DOWNLOADING:
        return gettext("downloading %(percent)d %%", percent=int(status.progress))
    if status.state is EpisodeState.FAILED and status.error:
        return gettext("failed: %(error)s",
                       error=localize(stored(status.error, status.error_phrase)))
    return str(STATE_LABELS.get(status.state, status.label))


def _translate(text: str) -> str:
    return gettext(text)


def _number(value: float, digits: int) -> str:
    """A phrase's Number in the page's language, rounded as its English text is."""
    return format_decimal(Number(value, digits).rounded(), format=number_pattern(digits))


def localize(message: str | Phrase | AniworldError | None) -> str:
    """A core message in the page's language (a ``Phrase``, an error, or a plain string).

    Inside ``/api/`` the locale is English, so the same call gives the API's stable text.
    """
    if message is None:
        return ""
    if isinstance(message, AniworldError):
        message = message.phrase
    # English (and so the API) writes numbers as the phrase's own text does.
    number = None if page_language() == DEFAULT_LOCALE else _number
    return as_phrase(message).render(_translate, number)
