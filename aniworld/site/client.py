"""The site client: polite, cached access to one streaming site through a SiteEngine."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

import redis

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase
from aniworld.site import errors, request_stats
from aniworld.site.cache import PageCache
from aniworld.site.classify import classify_response
from aniworld.site.doh import shared_resolver
from aniworld.site.engines import CALENDAR, ENGINES, NEW_EPISODES, Feed, PageRequest, SiteEngine
from aniworld.site.limiter import SiteLimiter
from aniworld.site.mirrors import MirrorSet, SiteBase, parse_base
from aniworld.site.settings import SiteSettings
from aniworld.site.transport import (
    AJAX_HEADERS,
    IMAGE_HEADERS,
    PAGE_HEADERS,
    Response,
    Transport,
    make_transport,
)
from aniworld.site.types import (
    EpisodeHosters,
    EpisodeInfo,
    FeedEntry,
    SearchResult,
    SeriesInfo,
    SiteImage,
)
from aniworld.sites import SITE_LABELS

logger = logging.getLogger(__name__)

SEARCH_CACHE_SECONDS = 300
# Feeds change as uploads happen; peers poll them every 30 minutes or less often.
FEED_CACHE_SECONDS = 600
MAX_REDIRECT_HOPS = 10
# An image may move on the site (a renamed file); it never leaves it.
MAX_IMAGE_HOPS = 3
T = TypeVar("T")
# Refusals that mean "you look like a bot": asking again per item only makes it worse.
_BOT_REFUSALS = (errors.SiteChallenge, errors.SiteSpamBlocked)
# Refusals another try may get past (each within its own limits, see SiteClient._may_retry).
_TRANSIENT = (errors.SiteRateLimited, errors.SiteServerError, errors.SiteUnreachable,
              *_BOT_REFUSALS)


@dataclass(frozen=True)
class _Outgoing:
    """One request as the client means it, before it is moved onto a mirror base."""

    method: str
    url: str
    headers: dict[str, str]
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None
    follow_redirects: bool = True

class SiteClient:
    """Read search results, series, seasons and hoster links; resolve hoster redirects."""

    def __init__(
        self,
        settings: SiteSettings | None = None,
        redis: redis.Redis | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings or SiteSettings()
        self.engine: SiteEngine = ENGINES[self.settings.engine]
        bases = [parse_base(url) for url in (self.settings.base_url, *self.settings.mirrors)]
        self.mirrors = MirrorSet(bases, self.settings.engine, redis)
        self.transport = transport or make_transport(
            self.settings.transport, bases[0].url, user_agent=self.settings.user_agent,
            proxy=self.settings.proxy, cookies=self.settings.cookies,
            doh=shared_resolver(self.settings.doh, self.settings.doh_timeout),
            allow_private_hosts=self.settings.allow_private_hosts,
        )
        self.limiter = SiteLimiter(
            self.settings.base_url, redis, max_in_flight=self.settings.max_in_flight,
            min_interval=self.settings.min_interval,
            lease_seconds=self.settings.timeout * 2 + 10, max_wait=self.settings.max_wait,
            backoff_base=self.settings.backoff_base, backoff_cap=self.settings.backoff_cap,
        )
        self.cache = PageCache(redis, self.settings.cache_ttl)
        self._redis = redis  # where every request's outcome is counted (request_stats)
        # Requests this client sent (retries and mirror attempts included, cache hits not):
        # what a monitoring round reports as its cost to the site.
        self.requests_sent = 0

    @property
    def base_url(self) -> str:
        """The base URL that answered last (the preferred one until a failover)."""
        return self.mirrors.current.url

    @property
    def user_agent(self) -> str:
        """The User-Agent this client sends; hoster downloads should reuse it."""
        return self.transport.user_agent

    def close(self) -> None:
        """Release the transport's connections."""
        self.transport.close()

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def search(self, query: str) -> list[SearchResult]:
        """Search the site; raise ValidationError for an empty query, SiteError on failure."""
        query = (query or "").strip()
        if not query or len(query) > 200:
            raise ValidationError(Phrase("enter 1 to 200 characters to search for"),
                                  field="query")
        bodies: list[str] = []
        failures: list[errors.SiteError] = []
        for request in self.engine.search_requests(query):
            try:
                ttl = min(SEARCH_CACHE_SECONDS, self.cache.ttl)
                bodies.append(self._load(request, lambda text: text, ttl))
            except (errors.SiteNotFound, errors.SiteLayoutChanged, errors.SiteServerError) as exc:
                # One endpoint gone or broken still leaves the other one's answer.
                logger.warning("search endpoint failed path=%s error=%s", request.path, exc)
                bodies.append("")
                failures.append(exc)
        if len(failures) == len(bodies):
            raise failures[-1]
        site = self.settings.site
        return [replace(result, site=site)
                for result in self.engine.parse_search(bodies, self.base_url)]

    def series(self, key: str, fresh: bool = False) -> SeriesInfo:
        """Return the series header and its season list (0 = films); raise SiteNotFound.

        ``fresh`` skips the cached copy (a user's "refresh") but still caches the new one.
        """
        key = self.engine.validate_key(key)
        request = PageRequest("GET", self.engine.series_path(key))
        return self._load(request, lambda text: self.engine.parse_series(text, self.base_url, key),
                          fresh=fresh)

    def season(self, key: str, season: int, fresh: bool = False) -> list[EpisodeInfo]:
        """Return every episode of a season (0 = films page) from one page request."""
        key = self.engine.validate_key(key)
        _check_index("season", season, 0)
        path = self.engine.season_path(key, season)
        request = PageRequest("GET", path, referer_path=self.engine.series_path(key))
        return self._load(
            request, lambda text: self.engine.parse_season(text, self.base_url, key, season),
            fresh=fresh,
        )

    def episode_hosters(self, key: str, season: int, episode: int) -> EpisodeHosters:
        """Return the hoster offers of one episode (season 0 = film ``episode``)."""
        key = self.engine.validate_key(key)
        _check_index("season", season, 0)
        _check_index("episode", episode, 1)
        referer = self.engine.season_path(key, season)
        request = PageRequest("GET", self.engine.episode_path(key, season, episode),
                              referer_path=referer)
        # Hoster links change more often than series pages and are read right before a download.
        return self._load(
            request, lambda text: self.engine.parse_episode(text, self.base_url), cache_ttl=0
        )

    def new_episodes(self, fresh: bool = False) -> list[FeedEntry]:
        """Return aniworld's ``/neue-episoden``, newest first, one entry per episode and day.

        Raise ValidationError on a site without that list (s.to), SiteError on failure.
        """
        return self._feed(self._feed_named(NEW_EPISODES), fresh)

    def calendar(self, fresh: bool = False) -> list[FeedEntry]:
        """Return the site's release calendar: released and scheduled episodes around today.

        aniworld ``/animekalender`` (this week); s.to ``/api/calendar``.
        """
        return self._feed(self._feed_named(CALENDAR), fresh)

    def releases(self, fresh: bool = False) -> list[FeedEntry]:
        """Return the episodes the site lists as released lately, newest day first.

        One request: aniworld ``/neue-episoden``; s.to the calendar's ``released`` entries.
        """
        name = self.engine.releases_feed or NEW_EPISODES
        released = [e for e in self._feed(self._feed_named(name), fresh) if e.released]
        # Stable, so the site's own order stays within a day.
        return sorted(released, key=lambda e: e.day or dt.date.min, reverse=True)

    def _feed_named(self, name: str) -> Feed:
        found = self.engine.feeds.get(name)
        if found is None:
            site = SITE_LABELS.get(self.settings.site, self.settings.site)
            offered = ", ".join(self.engine.feeds) or "none"
            raise ValidationError(Phrase("%(site)s has no %(name)s feed (it offers: %(offered)s)",
                                         site=site, name=name, offered=offered), field="feed")
        return found

    def _feed(self, feed: Feed, fresh: bool) -> list[FeedEntry]:
        ttl = min(FEED_CACHE_SECONDS, self.cache.ttl)
        entries = self._load(feed.request, lambda text: feed.parse(text, self.base_url), ttl,
                             fresh=fresh)
        return [replace(entry, site=self.settings.site) for entry in entries]

    def resolve_redirect(self, redirect_url_or_link_id: str) -> str:
        """Follow a hoster link (``/redirect/<id>``, s.to ``/r?t=``) to the hoster embed URL.

        Raise CaptchaRequired (PlayGateRequired on s.to) when the answer stays on the site and
        HosterLinkExpired when the site no longer knows the link.
        """
        url = self.base_url + self.engine.redirect_target(redirect_url_or_link_id)
        for _hop in range(MAX_REDIRECT_HOPS):
            try:
                response = self._send(_Outgoing("GET", url, dict(PAGE_HEADERS),
                                                follow_redirects=False))
            except errors.SiteNotFound as exc:
                raise errors.HosterLinkExpired(url) from exc
            location = response.header("location")
            if not (300 <= response.status < 400 and location):
                raise self._held(self.engine.stayed_on_site(url, response.text))
            url = urljoin(url, location)
            if not self._on_site(url):
                logger.info("redirect resolved engine=%s host=%s", self.engine.name,
                            urlsplit(url).hostname)
                return url
        raise errors.CaptchaRequired(
            url, f"the site redirected in circles; open {url} in your browser")

    def image(self, url: str, key: str | None = None) -> SiteImage:
        """Fetch an image of the site (a cover) as bytes, never cached in Redis.

        Goes through the limiter, the mirrors and the transport like a page; ``key`` names
        the series whose page the browser would show it on (its Referer). Raises
        ValidationError for an address that is not on the site (the one place covers come
        from, so a stored URL cannot send requests elsewhere), SiteError on failure.
        """
        referer = self.base_url + (self.engine.series_path(key) if key else "/")
        for _hop in range(MAX_IMAGE_HOPS + 1):
            if not self._on_site(url):
                raise ValidationError(Phrase("%(url)s is not on %(site)s's own hosts; only the "
                                             "site's images are fetched",
                                             url=url, site=self.settings.site), field="cover")
            response = self._send(_Outgoing("GET", url, {**IMAGE_HEADERS, "Referer": referer},
                                            follow_redirects=False))
            location = response.header("location")
            if not (300 <= response.status < 400 and location):
                return SiteImage(response.content, response.header("content-type"), url)
            url = urljoin(url, location)
        raise errors.SiteNotFound(Phrase("the image %(url)s redirected more than %(hops)s times",
                                         url=url, hops=MAX_IMAGE_HOPS))

    def _on_site(self, url: str) -> bool:
        return self.mirrors.on_site(url)

    def _load(
        self, request: PageRequest, parse: Callable[[str], T], cache_ttl: int | None = None,
        fresh: bool = False,
    ) -> T:
        """Parse the cached answer, or fetch, parse and only then cache it."""
        url = self.base_url + request.path
        # Keyed on the preferred base, so a failover keeps the cached pages.
        identity = " ".join([request.method, self.settings.base_url + request.path,
                             urlencode(sorted((request.params or {}).items())),
                             urlencode(sorted((request.data or {}).items()))])
        cached = self.cache.get(identity) if cache_ttl != 0 and not fresh else None
        if cached is not None:
            logger.debug("site cache hit url=%s", url)
            return parse(cached)
        headers = dict(AJAX_HEADERS if request.ajax else PAGE_HEADERS)
        headers["Referer"] = self.base_url + request.referer_path
        if request.ajax:
            headers["Origin"] = self.base_url
        response = self._send(_Outgoing(request.method, url, headers, request.params,
                                        request.data))
        # Parse before caching so a broken or not-found page is never served from the cache.
        result = parse(response.text)
        self.cache.set(identity, response.text, cache_ttl)
        return result

    def _send(self, outgoing: _Outgoing) -> Response:
        """Send to the working base; fail over to the next one when it is out of reach."""
        bases = self.mirrors.order()
        for index, base in enumerate(bases):
            failover = index < len(bases) - 1
            outcome = self._send_to(base, outgoing, failover=failover)
            if isinstance(outcome, Response):
                self.mirrors.remember(base)
                return outcome
            logger.warning("site mirror failed base=%s error=%s next=%s", base.url, outcome.code,
                           bases[index + 1].url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_to(self, base: SiteBase, outgoing: _Outgoing, *,
                 failover: bool) -> Response | errors.SiteError:
        """Retry on one base; return the error that makes ``failover`` move on, raise others."""
        headers = {name: self.mirrors.rebase(value, base) if name in ("Referer", "Origin")
                   else value for name, value in outgoing.headers.items()}
        if base.host:
            headers["Host"] = base.host
        outgoing = replace(outgoing, url=self.mirrors.rebase(outgoing.url, base), headers=headers)
        challenged = False
        for attempt in range(self.settings.max_retries + 1):
            outcome = self._attempt(outgoing)
            if isinstance(outcome, Response):
                return outcome
            if failover and _fails_over(outcome):
                return outcome
            if not self._may_retry(outcome, attempt, challenged):
                raise self._held(outcome) if isinstance(outcome, _BOT_REFUSALS) else outcome
            challenged = challenged or isinstance(outcome, errors.SiteChallenge)
            logger.info("site retry url=%s attempt=%s error=%s", outgoing.url, attempt + 1,
                        outcome.code)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, outgoing: _Outgoing) -> Response | errors.SiteError:
        url = outgoing.url
        try:
            with self.limiter.slot():
                self.requests_sent += 1
                response = self.transport.request(
                    outgoing.method, url, headers=outgoing.headers, params=outgoing.params,
                    data=outgoing.data, follow_redirects=outgoing.follow_redirects,
                    timeout=self.settings.timeout,
                )
        except errors.SiteUnreachable as exc:
            self._count(exc)
            return exc
        error = classify_response(response)
        self._count(error)
        if error is None:
            self.limiter.succeeded()
            logger.debug("site answer url=%s status=%s", url, response.status)
            return response
        logger.warning("site refused url=%s status=%s error=%s", url, response.status, error.code)
        return error

    def _count(self, error: errors.SiteError | None) -> None:
        request_stats.record(self._redis, self.settings.site, request_stats.outcome_of(error))

    def _held(self, error: errors.SiteError) -> errors.SiteError:
        """Pause the whole site after it refused us as a bot; return ``error`` to raise."""
        if self.settings.challenge_cooldown > 0:
            self.limiter.hold(self.settings.challenge_cooldown, error.code)
        return error

    def _may_retry(self, error: errors.SiteError, attempt: int, challenged: bool) -> bool:
        if not isinstance(error, _TRANSIENT):
            return False
        # Every refusal cools the whole site down, so other workers do not hammer it either.
        retry_after = error.retry_after if isinstance(error, errors.SiteRateLimited) else None
        waited = self.limiter.backoff(retry_after)
        if isinstance(error, errors.SiteSpamBlocked) or attempt >= self.settings.max_retries:
            return False
        if isinstance(error, errors.SiteServerError) and error.http_status < 500:
            return False
        if isinstance(error, errors.SiteChallenge):
            return not challenged  # at most one retry: the cookie jar may have been updated
        return waited <= self.settings.max_wait


def _fails_over(error: errors.SiteError) -> bool:
    """True for answers that say "this base is out of reach", not "this page is wrong"."""
    if isinstance(error, errors.SiteServerError):
        return error.http_status >= 500
    return isinstance(error, errors.SiteUnreachable | errors.SiteChallenge)


def _check_index(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value < 10_000:
        raise ValidationError(Phrase("%(name)s must be a whole number from %(minimum)s",
                                     name=name, minimum=minimum), field=name)

