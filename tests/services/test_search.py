"""search_sites: both sites' results in one list, and a failing site reported, not fatal.

Real site clients against the stand-in over HTTP: aniworld.to at ``fakesite.url``, s.to at
``fakesite.sto_url``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from aniworld.errors import ValidationError
from aniworld.services.search import search_sites
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.errors import SiteChallenge, SiteUnreachable
from aniworld.sites import ANIWORLD, STO

Factories = Callable[..., dict[str, Callable[[], SiteClient]]]

# "ache" is in four aniworld titles (… Drache) and one s.to title (… Reboot & Rache).
BOTH = "ache"
DRACHEN = ["blauer-drache", "roter-drache", "stiller-drache", "wilder-drache"]


@pytest.fixture
def factories(redis_conn: redis.Redis) -> Factories:
    """Build client factories for the sites named (site → base URL), in that order.

    The clients share the test's Redis (flushed per test), so a hold a challenge puts on a
    site ends with the test.
    """
    engines = {ANIWORLD: "aniworld", STO: "serienstream"}

    def factory(site: str, url: str) -> Callable[[], SiteClient]:
        settings = SiteSettings(base_url=url, engine=engines[site], min_interval=0.0,
                                backoff_base=0.01, timeout=3.0, max_retries=0)
        return lambda: SiteClient(settings, redis=redis_conn)

    return lambda **urls: {site: factory(site, url) for site, url in urls.items()}


@pytest.fixture
def both(fakesite: Any, factories: Factories) -> dict[str, Callable[[], SiteClient]]:
    """Factories for aniworld.to and s.to on the stand-in, in that order."""
    return factories(aniworld=fakesite.url, sto=fakesite.sto_url)


def test_results_of_both_sites_come_tagged_in_the_order_asked(both: Any) -> None:
    found = search_sites(BOTH, both)
    assert [(r.site, r.key) for r in found.results] == (
        [(ANIWORLD, key) for key in DRACHEN] + [(STO, "demo-serie-reboot-rache")])
    assert found.failures == {} and found.failed_sites == ()
    sto_first = search_sites(BOTH, dict(reversed(both.items())))
    assert [r.site for r in sto_first.results] == [STO] + [ANIWORLD] * 4


def test_one_site_asked_is_the_only_one_asked(fakesite: Any, factories: Factories) -> None:
    found = search_sites(BOTH, factories(sto=fakesite.sto_url))
    assert [(r.site, r.key) for r in found.results] == [(STO, "demo-serie-reboot-rache")]
    assert fakesite.requests_to("/ajax/") == []


def test_a_failing_site_is_reported_and_the_other_answers(fakesite: Any, both: Any) -> None:
    fakesite.set_fault("ddos_guard", server="sto")
    found = search_sites(BOTH, both)
    assert [r.key for r in found.results] == DRACHEN
    assert found.failed_sites == (STO,) and isinstance(found.failures[STO], SiteChallenge)
    assert found.failures[STO].message.startswith("the site asks for")


@pytest.mark.parametrize(("order", "raised"), [((ANIWORLD, STO), SiteChallenge),
                                               ((STO, ANIWORLD), SiteUnreachable)])
def test_every_site_failing_raises_the_last_error(
        fakesite: Any, factories: Factories, order: tuple[str, str],
        raised: type[Exception]) -> None:
    fakesite.set_fault("ddos_guard", server="sto")
    urls = {ANIWORLD: "http://127.0.0.1:9", STO: fakesite.sto_url}
    with pytest.raises(raised):
        search_sites(BOTH, factories(**{site: urls[site] for site in order}))


def test_a_bad_query_is_not_a_site_failure(both: Any) -> None:
    with pytest.raises(ValidationError):
        search_sites("   ", both)
