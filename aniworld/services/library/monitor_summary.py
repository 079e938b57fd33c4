"""What a monitoring round did, per site and in total: the figures the status keeps.

A round reads each site's new-episodes feed once, then only the series it needs to read
(:mod:`aniworld.services.library.monitor_plan`). :class:`SiteRound` counts what happened on
one site; :class:`MonitorSummary` adds the sites up and says it in one sentence for the
Library page, the Settings page, the API and the job's result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from aniworld.phrases import Number, Phrase, as_phrase, joined
from aniworld.sites import SITE_LABELS


@dataclass(frozen=True)
class SiteRound:
    """One site's part of a round."""

    site: str
    monitored: int = 0  # monitored series of the site
    feed_entries: int = 0  # episodes the site's feed listed
    named: int = 0  # monitored series the feed named with an episode or language not stored
    due: int = 0  # series read in full because their last full read is too old
    checked: int = 0  # series read and stored
    failed: int = 0  # series that could not be read
    requests: int = 0  # requests sent to the site (feed, series and season pages, retries)
    new: int = 0  # episodes that appeared
    queued: int = 0  # episodes queued
    # Why the feed could not be read (the round fell back to the due series)...
    feed_error: str | Phrase = ""
    # ...or why the site was asked no more in this round (its refusal, unusable settings).
    # Phrases while the round runs; English text when read back from the stored status.
    stopped: str | Phrase = ""
    # (series title, episodes queued) of the series that got something queued.
    queued_series: tuple[tuple[str, int], ...] = ()

    def add(self, **counts: int) -> SiteRound:
        """A copy with ``counts`` added to the fields of the same name."""
        return replace(self, **{name: getattr(self, name) + value
                                for name, value in counts.items()})

    @property
    def label(self) -> str:
        """The site's name as the user reads it."""
        return SITE_LABELS.get(self.site, self.site)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields; the reasons in English (the API and the stored status)."""
        return {**asdict(self), "feed_error": str(self.feed_error), "stopped": str(self.stopped)}


def _total(name: str) -> property:
    return property(lambda self: sum(getattr(site, name) for site in self.sites),
                    doc=f"``{name}`` summed over the sites.")


@dataclass(frozen=True)
class MonitorSummary:
    """The figures of one finished round, per site."""

    sites: tuple[SiteRound, ...] = ()
    seconds: float = 0.0

    series = _total("monitored")
    feed_entries = _total("feed_entries")
    checked = _total("checked")
    failed = _total("failed")
    requests = _total("requests")
    new = _total("new")
    queued = _total("queued")

    @property
    def queued_series(self) -> dict[str, int]:
        """Episodes queued per series title, over the sites (for the round's notification)."""
        counts: dict[str, int] = {}
        for site in self.sites:
            for title, count in site.queued_series:
                counts[title] = counts.get(title, 0) + count
        return counts

    @property
    def stopped(self) -> str:
        """Why sites were asked no more, one clause per site ("" when none was; English)."""
        return str(self._per_site("stopped"))

    @property
    def feed_errors(self) -> str:
        """Which feeds could not be read and why ("" when every feed was read; English)."""
        return str(self._per_site("feed_error"))

    def _per_site(self, name: str) -> str | Phrase:
        """"label: reason" clauses of the sites whose field ``name`` says something."""
        return joined([Phrase("%(site)s: %(reason)s", site=site.label, reason=reason)
                       for site in self.sites if (reason := getattr(site, name))], "; ")

    @property
    def troubled(self) -> bool:
        """Whether a site or its feed failed, so the round may have missed something."""
        return bool(self.stopped or self.feed_errors)

    @property
    def message(self) -> str:
        """One sentence for the job's result and the log (English)."""
        return str(self.phrase)

    @property
    def phrase(self) -> Phrase:
        """The same sentences for the pages, in the reader's language (one per part)."""
        if not self.series:
            return Phrase("No series is monitored.")
        parts = [Phrase("Checked %(checked)s of %(series)s monitored series with %(requests)s "
                        "request(s) in %(seconds)s s: %(new)s new episode(s), %(queued)s "
                        "queued.", checked=self.checked, series=self.series,
                        requests=self.requests, seconds=Number(self.seconds, 1), new=self.new,
                        queued=self.queued)]
        if self.failed:
            parts.append(Phrase("%(failed)s series could not be read; see the worker log.",
                                failed=self.failed))
        if self.feed_errors:
            parts.append(Phrase("New-episodes feed unreadable, only series due for a full "
                                "check were read: %(errors)s.",
                                errors=self._per_site("feed_error")))
        if self.stopped:
            parts.append(Phrase("Stopped early: %(stopped)s", stopped=self._per_site("stopped")))
        return as_phrase(joined(parts, " "))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready totals plus ``sites`` keyed by site."""
        totals = {name: getattr(self, name) for name in (
            "series", "feed_entries", "checked", "requests", "new", "queued")}
        return {**totals, "failed_series": self.failed, "seconds": round(self.seconds, 3),
                "sites": {site.site: site.as_dict() for site in self.sites}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonitorSummary:
        """Read back :meth:`as_dict`; unknown fields (another version's) are ignored."""
        names = {field.name for field in fields(SiteRound)}
        sites = tuple(SiteRound(**{name: value for name, value in site.items() if name in names})
                      for site in (data.get("sites") or {}).values() if isinstance(site, dict))
        return cls(sites, float(data.get("seconds") or 0.0))
