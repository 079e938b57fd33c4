"""Running one queue item: site → hoster → download, with fallback, retries and leases."""

from aniworld.tasks.download.runner import Outcome, run_item

__all__ = ["Outcome", "run_item"]
