"""Deprecated: the RQ entry points moved to :mod:`aniworld.tasks.jobs`.

Jobs enqueued by the previous release sit in Redis under ``aniworld.jobs.<name>``; RQ
imports them by that dotted path, so this module keeps them runnable for one release.
Remove it in the release after next.
"""

from aniworld.tasks.jobs import check_monitored, download_episode, scan_library

__all__ = ["check_monitored", "download_episode", "scan_library"]
