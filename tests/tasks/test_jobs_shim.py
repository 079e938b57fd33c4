"""Jobs enqueued by the previous release under ``aniworld.jobs.*`` still resolve."""

from __future__ import annotations

import pytest
from rq.utils import import_attribute

from aniworld.tasks import dispatch, jobs


@pytest.mark.parametrize("name", ["download_episode", "scan_library", "check_monitored"])
def test_old_dotted_path_resolves_to_the_task(name: str) -> None:
    assert import_attribute(f"aniworld.jobs.{name}") is getattr(jobs, name)


def test_new_jobs_are_enqueued_under_the_tasks_path() -> None:
    assert {dispatch.DOWNLOAD_JOB, dispatch.SCAN_JOB, dispatch.MONITOR_JOB} == {
        f"aniworld.tasks.jobs.{name}"
        for name in ("download_episode", "scan_library", "check_monitored")}
