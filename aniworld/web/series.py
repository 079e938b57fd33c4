"""A library series: add it from search, show its seasons, queue downloads, refresh, remove."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Episode, Priority, Series
from aniworld.phrases import Phrase
from aniworld.services import catalog
from aniworld.services import episode_status as status_service
from aniworld.services import queue as queue_service
from aniworld.services.episode_status import EpisodeKey, EpisodeState, EpisodeStatus
from aniworld.services.library import overview as library_overview
from aniworld.services.library.folders import forget_series
from aniworld.services.library.monitoring import apply_refresh
from aniworld.services.library.preferences import apply_preferences, preferences
from aniworld.services.library.upgrades import queue_series_upgrades
from aniworld.services.series import find_series, series_seasons
from aniworld.services.settings import load_settings
from aniworld.site.errors import SiteError
from aniworld.sites import parse_series_key
from aniworld.web.context import queue_count
from aniworld.web.htmx import is_htmx, navigate, render, with_trigger
from aniworld.web.i18n import language_label, localize
from aniworld.web.keys import series_at
from aniworld.web.parsing import form_priority, parse_field
from aniworld.web.resources import kick_dispatcher, make_site_client, site_series_url

bp = Blueprint("series", __name__, url_prefix="/series")

SCOPES = ("episode", "season", "missing")
MAX_NUMBER = 10_000
# Mistakes a user can fix on the same page; shown there instead of an error page.
INLINE_ERRORS = (ConflictError, NotFoundError, ValidationError)


@bp.post("/")
def create() -> BaseResponse:
    """Add the series ``key`` (``<slug>`` or ``sto:<slug>``) from its site, then open its page."""
    ref = parse_series_key(request.form.get("key", ""))
    if find_series(db.session, ref.key, ref.site) is None:
        db.session.rollback()  # no read transaction stays open during the site fetch
        try:
            with make_site_client(ref.site) as client:
                snapshot = catalog.fetch_series(client, ref.key)
        except SiteError as exc:
            return _add_failed(localize(exc))
        catalog.add_series(db.session, snapshot, ref.site)
        db.session.commit()
    return navigate(url_for("series.show", key=ref.public_key))


@bp.get("/<key>")
def show(key: str) -> Response:
    """The series header and one season's episodes (``?season=N``, 0 = films)."""
    series = series_at(key)
    season = _season_arg(series, request.args.get("season"))
    return render("series/show.html", "series/_season.html", series=series,
                  site_url=site_series_url(series.site, series.key),
                  **_preferences_context(series), **_season_context(series, season))


@bp.post("/<key>/downloads")
def queue_downloads(key: str) -> BaseResponse:
    """Queue one episode, a season or everything missing (``scope``), skipping duplicates."""
    series = series_at(key)
    season = _season_arg(series, request.form.get("season"))
    try:
        message, error = _queue(series, season), None
    except INLINE_ERRORS as exc:
        db.session.rollback()
        message, error = None, localize(exc)
    if not is_htmx():
        flash(error or message)
        return redirect(url_for("series.show", key=key, season=season))
    response = render("series/show.html", "series/_season.html", series=series, message=message,
                      error=error, oob_badge=True, queue_count=queue_count(),
                      **_season_context(series, season))
    return response if error else with_trigger(response, "queueChanged")


@bp.post("/<key>/refresh")
def refresh(key: str) -> BaseResponse:
    """Re-read the series from its site (bypassing the cache) and update its episodes."""
    series = series_at(key)
    series_id, site, slug = series.id, series.site, series.key
    db.session.rollback()  # the site fetch below must not hold SQLite's write lock
    try:
        with make_site_client(site) as client:
            snapshot = catalog.fetch_series(client, slug, fresh=True)
    except SiteError as exc:
        flash(_("Could not refresh: %(error)s", error=localize(exc)))
    else:
        _new, queued = apply_refresh(db.session, series_id, snapshot, load_settings(db.session))
        db.session.commit()
        if queued:
            kick_dispatcher()
        total = len(snapshot.episodes)
        flash(_("Refreshed from the site: %(total)d episodes; %(queued)d episode(s) or upgrade(s) "
                "queued (monitored).", total=total, queued=queued) if queued
              else _("Refreshed from the site: %(total)d episodes.", total=total))
    return redirect(url_for("series.show", key=key))


@bp.post("/<key>/monitored")
def set_monitored(key: str) -> BaseResponse:
    """Turn monitoring on or off (``monitored`` = 1 or 0), then show the series again.

    Switched on, the series gets the language upgrades its preferences call for queued.
    """
    series = series_at(key)
    series.monitored = _form_choice("monitored", ("0", "1")) == "1"
    title, monitored = series.title, series.monitored
    upgrades = queue_series_upgrades(db.session, series, load_settings(db.session))
    db.session.commit()
    if upgrades:
        kick_dispatcher()
    if monitored:
        flash(_("Monitoring %(title)s: new episodes are queued automatically.", title=title)
              + _upgrades_note(upgrades))
    else:
        flash(_("Stopped monitoring %(title)s.", title=title))
    return navigate(url_for("series.show", key=key))


@bp.post("/<key>/preferences")
def save_preferences(key: str) -> BaseResponse:
    """Store the series' own preferences; a monitored series gets its upgrades queued."""
    series = series_at(key)
    try:
        apply_preferences(series, _form_preferences())
        upgrades = queue_series_upgrades(db.session, series, load_settings(db.session))
    except ValidationError as exc:
        db.session.rollback()
        flash(_("Preferences not saved: %(error)s", error=localize(exc)))
        return redirect(url_for("series.show", key=key))
    db.session.commit()
    if upgrades:
        kick_dispatcher()
    flash(_("Preferences saved.") + _upgrades_note(upgrades))
    return redirect(url_for("series.show", key=key))


@bp.get("/<key>/delete")
def confirm_delete(key: str) -> str:
    """Ask before removing a series (works without JavaScript)."""
    return render_template("series/delete.html", series=series_at(key))


@bp.post("/<key>/delete")
def delete(key: str) -> BaseResponse:
    """Remove the series and its queue items from the library; files stay on disk."""
    series = series_at(key)
    title = series.title
    forget_series(db.session, series)
    db.session.delete(series)
    db.session.commit()
    flash(_("Removed %(title)s from the library; its files stay on disk.", title=title))
    return redirect(url_for("library.index"))


def _preferences_context(series: Series) -> dict[str, Any]:
    """What the preferences form shows: the effective values and the choices."""
    settings = load_settings(db.session)
    return {"prefs": preferences(series, settings), "all_languages": list(Language),
            "global_order": settings.language_order, "holding_days": settings.holding_days}


def _form_preferences() -> dict[str, Any]:
    """The preferences form as ``apply_preferences`` reads it (no order: the global one)."""
    return {"language_order": [value for value in request.form.getlist("language_order")
                               if value],
            "upgrade_until": request.form.get("upgrade_until") or None,
            "monitor_scope": request.form.get("monitor_scope", ""),
            "monitor_films": request.form.get("monitor_films") == "on"}


def _upgrades_note(count: int) -> str:
    if not count:
        return ""
    return " " + ngettext("%(num)d language upgrade(s) queued.",
                          "%(num)d language upgrade(s) queued.", count)


def _add_failed(message: str) -> BaseResponse:
    """Show why adding failed: inline under the card for htmx, as a notice otherwise."""
    if is_htmx():
        return Response(render_template("series/_add_error.html", message=message))
    flash(_("Could not add the series: %(error)s", error=message))
    return redirect(url_for("search.index", q=request.form.get("q", "")[:100]))


def _queue(series: Series, season: int) -> str:
    """Validate the download form, queue its episodes, commit and wake the dispatcher."""
    scope = _form_choice("scope", SCOPES)
    language, priority = _form_language(), form_priority("normal")
    episodes = _scope_episodes(series, scope, season)
    if scope == "episode":  # one episode: say why it cannot be had rather than count it
        queue_service.choose_language(db.session, series, (season, episodes[0].number),
                                      language)
    plan = status_service.plan_downloads(episodes, _statuses(series, episodes),
                                         only_wanted=scope != "episode")
    result = queue_service.add_many(db.session, series, plan.keys, language, priority)
    db.session.commit()
    kick_dispatcher()
    return _queued_message(plan, result, language)


def _season_arg(series: Series, raw: str | None) -> int:
    """The season asked for (default: the first regular one); raises NotFoundError."""
    seasons = _seasons(series)
    if raw is None or raw == "":
        return seasons[0] if seasons else 1
    if not raw.isdigit() or int(raw) > MAX_NUMBER:
        raise ValidationError(Phrase("season must be a whole number (0 = films)"), "season")
    if int(raw) not in seasons:
        raise NotFoundError(Phrase("%(series)s has no films", series=series.title) if int(raw) == 0
                            else Phrase("%(series)s has no season %(number)s",
                                        series=series.title, number=int(raw)))
    return int(raw)


def _seasons(series: Series) -> list[int]:
    """Season numbers of the series (announced ones too), regular first, films (0) last."""
    return sorted((entry.number for entry in series_seasons(series)), key=_tab_order)


def _tab_order(season: int) -> tuple[bool, int]:
    return season == 0, season


def _season_label(season: int) -> str:
    return _("Films") if season == 0 else _("Season %(number)s", number=season)


def _season_context(series: Series, season: int) -> dict[str, Any]:
    """Tabs, episodes, statuses and form defaults for one season of ``series``."""
    order = load_settings(db.session).language_order
    entries = {entry.number: entry for entry in series_seasons(series)}
    episodes = [e for e in series.episodes if e.season == season]
    offered = {language for e in episodes for language in e.language_set}
    statuses = _statuses(series, episodes)
    return {
        "season": season, "episodes": episodes, "statuses": statuses,
        **_live_state(statuses),
        "announced": season in entries and entries[season].announced,
        "tabs": [(n, _season_label(n), entries[n].announced)
                 for n in sorted(entries, key=_tab_order)],
        "languages": [language for language in order if language in offered],
        "episode_languages": {e.number: [lang for lang in order if lang in e.language_set]
                              for e in episodes},
        "priorities": list(Priority),
    }


@bp.get("/<key>/live")
def live_status(key: str) -> Response:
    """Poll target of the season's status cells (``?season=N&v=<version>``).

    204 while version ``v`` is current; else the changed cells out of band with a new
    poller; 286 (htmx stops polling) once nothing of the season is queued or downloading.
    """
    series = series_at(key)
    season = _season_arg(series, request.args.get("season"))
    episodes = [e for e in series.episodes if e.season == season]
    statuses = _statuses(series, episodes)
    live = _live_state(statuses)
    if request.args.get("v") == live["live_version"] and live["live_busy"]:
        return Response(status=204)
    response = Response(render_template("series/_live_update.html", series=series,
                                        season=season, episodes=episodes, statuses=statuses,
                                        **live))
    if not live["live_busy"]:
        response.status_code = 286
    return response


def _live_state(statuses: dict[EpisodeKey, EpisodeStatus]) -> dict[str, Any]:
    """The season's status version (changes with any label) and whether work is under way."""
    labels = "|".join(f"{key}:{status.label}" for key, status in sorted(statuses.items()))
    busy = any(status.state in (EpisodeState.QUEUED, EpisodeState.DOWNLOADING)
               for status in statuses.values())
    return {"live_version": hashlib.blake2s(labels.encode(), digest_size=8).hexdigest(),
            "live_busy": busy}


def _statuses(series: Series, episodes: list[Episode]) -> dict[EpisodeKey, EpisodeStatus]:
    """Status of ``episodes`` from the series' queue items and the last library scan."""
    return library_overview.series_statuses(db.session, series, episodes,
                                            load_settings(db.session))


def _scope_episodes(series: Series, scope: str, season: int) -> list[Episode]:
    """The episodes a download request covers; raises ValidationError/NotFoundError."""
    if scope == "missing":
        return list(series.episodes)
    in_season = [e for e in series.episodes if e.season == season]
    if scope == "season":
        return in_season
    number = _form_int("episode")
    chosen = [e for e in in_season if e.number == number]
    if not chosen:
        season_name = (Phrase("Films") if season == 0
                       else Phrase("Season %(number)s", number=season))
        raise NotFoundError(Phrase("%(season)s of %(series)s has no episode %(number)s",
                                   season=season_name, series=series.title, number=number))
    return chosen


def _queued_message(plan: status_service.DownloadPlan, result: queue_service.BulkResult,
                    language: Language | None) -> str:
    """Sentence reporting what was queued in which language, what was skipped, and why."""
    parts = [ngettext("Queued %(num)d episode(s)", "Queued %(num)d episode(s)", len(result.created))
             + _languages_note(result, language)]
    if result.skipped:
        parts.append(_("%(num)d already in the queue", num=len(result.skipped)))
    if plan.not_wanted:
        parts.append(_("%(num)d already on disk or queued", num=plan.not_wanted))
    if result.not_offered:
        wanted = (language_label(language) if language
                  else _("any language of your language order"))
        parts.append(_("%(num)d not offered in %(language)s", num=len(result.not_offered),
                       language=wanted))
    return "; ".join(parts) + "."


def _languages_note(result: queue_service.BulkResult, language: Language | None) -> str:
    """The language(s) queued in; counted per language when not all are the first choice."""
    if language is not None:
        return " " + _("in %(language)s", language=language_label(language))
    order = load_settings(db.session).language_order
    chosen = result.languages_chosen
    if not chosen or set(chosen) == {order[0]}:
        return " " + _("in %(language)s", language=language_label(order[0])) if chosen else ""
    counts = ", ".join(_("%(num)d in %(language)s", num=chosen[lang], language=language_label(lang))
                       for lang in order if lang in chosen)
    return ": " + _("%(counts)s (the best each episode is offered in)", counts=counts)


def _form_int(field: str) -> int:
    raw = request.form.get(field, "").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= MAX_NUMBER:
        raise ValidationError(Phrase("%(field)s must be a whole number", field=field), field)
    return int(raw)


def _form_choice(field: str, choices: tuple[str, ...]) -> str:
    value = request.form.get(field, "")
    if value not in choices:
        raise ValidationError(Phrase("%(field)s must be one of: %(choices)s", field=field,
                                     choices=", ".join(choices)), field)
    return value


def _form_language() -> Language | None:
    """The form's language; None (empty or absent) is "Automatic": the best one offered."""
    raw = request.form.get("language", "")
    return parse_field("language", raw, Language.parse) if raw else None

