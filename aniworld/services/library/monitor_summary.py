"""What a monitoring round did, per site and in total: the figures the status keeps.

A round reads each site's new-episodes feed once, then only the series it needs to read
(:mod:`aniworld.services.library.monitor_plan`). :class:`SiteRound` counts what happened on
one site; :class:`MonitorSummary` adds the sites up and says it in one sentence for the
Library page, the Settings page, the API and the job's result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

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
    feed_error: str = ""
    # ...or why the site was asked no more in this round (its refusal, unusable settings).
    stopped: str = ""
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
        """Why sites were asked no more, one clause per site ("" when none was)."""
        return "; ".join(f"{site.label}: {site.stopped}" for site in self.sites if site.stopped)

    @property
    def feed_errors(self) -> str:
        """Which feeds could not be read and why ("" when every feed was read)."""
        return "; ".join(f"{site.label}: {site.feed_error}" for site in self.sites
                         if site.feed_error)

    @property
    def troubled(self) -> bool:
        """Whether a site or its feed failed, so the round may have missed something."""
        return bool(self.stopped or self.feed_errors)

    @property
    def message(self) -> str:
        """One sentence for the pages and the job's result."""
        if not self.series:
            return "No series is monitored."
        text = (f"Checked {self.checked} of {self.series} monitored series with "
                f"{self.requests} request(s) in {self.seconds:.1f} s: {self.new} new "
                f"episode(s), {self.queued} queued.")
        if self.failed:
            text += f" {self.failed} series could not be read; see the worker log."
        if self.feed_errors:
            text += (f" New-episodes feed unreadable, only series due for a full check were "
                     f"read: {self.feed_errors}.")
        if self.stopped:
            text += f" Stopped early: {self.stopped}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready totals plus ``sites`` keyed by site."""
        totals = {name: getattr(self, name) for name in (
            "series", "feed_entries", "checked", "requests", "new", "queued")}
        return {**totals, "failed_series": self.failed, "seconds": round(self.seconds, 3),
                "sites": {site.site: asdict(site) for site in self.sites}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonitorSummary:
        """Read back :meth:`as_dict`; unknown fields (another version's) are ignored."""
        names = {field.name for field in fields(SiteRound)}
        sites = tuple(SiteRound(**{name: value for name, value in site.items() if name in names})
                      for site in (data.get("sites") or {}).values() if isinstance(site, dict))
        return cls(sites, float(data.get("seconds") or 0.0))
