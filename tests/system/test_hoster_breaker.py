"""Whole system: with VOE broken, real workers stop paying for it after three failures."""

from __future__ import annotations

import pytest

from aniworld.services.hoster_health import HosterState, hoster_reports
from tests.system.conftest import Stack

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
VOE_EMBED = "/e/"  # the fake VOE's embed pages


def test_broken_voe_costs_only_the_first_items(stack: Stack) -> None:
    stack.add_series(KAEMPFER)
    stack.settings(hoster_order=["VOE", "Vidmoly"], parallel_downloads=1, breaker_failures=3)
    stack.fakesite.set_fault("status", server="hoster", prefix=VOE_EMBED, status=503)
    ids = [stack.queue(KAEMPFER, 1, episode) for episode in range(1, 6)]
    stack.start_workers(1)
    items = [stack.wait_status(item_id, "completed", "failed", timeout=120) for item_id in ids]
    assert [(i.status.value, i.hoster) for i in items] == [("completed", "Vidmoly")] * 5
    voe_pages = stack.fakesite.requests_to(VOE_EMBED, server="hoster")
    # One page per item until the breaker opened (parallel 1: the items run one by one).
    assert len(voe_pages) == 3, [r.path for r in voe_pages]
    with stack.sessions() as session:
        voe = next(r for r in hoster_reports(session) if r.hoster == "voe")
    assert voe.state is HosterState.COOLING_DOWN and "503" in (voe.last_error or "")
