"""After a challenge, spam block or captcha the client pauses the site instead of asking again."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from aniworld.site.errors import CaptchaRequired, SiteChallenge, SiteRateLimited
from aniworld.site.limiter import SiteLimiter
from tests.site.test_client_fakesite import a_link_id, make_client, page_requests


@pytest.mark.parametrize("use_redis", [False, True])
def test_challenge_holds_every_later_request(fakesite: Any, redis_url: str,
                                             use_redis: bool) -> None:
    connection = redis.Redis.from_url(redis_url) if use_redis else None
    fakesite.set_fault("ddos_guard")
    with make_client(fakesite, connection) as client:
        with pytest.raises(SiteChallenge):
            client.series("dr-who-s-cat")
        asked = len(page_requests(fakesite))
        fakesite.clear_faults()
        # The next item does not ask the site again: it is told to wait, without a request.
        with pytest.raises(SiteRateLimited) as info:
            client.series("dr-who-s-cat")
    assert len(page_requests(fakesite)) == asked
    assert info.value.retry_after > 500
    assert "browser check" in info.value.message and "cookies in Settings" in info.value.message
    hold = SiteLimiter(fakesite.url, connection).notice()  # what the banner reads
    assert hold is not None and hold.reason == "site_challenge" and hold.seconds_left > 500


def test_captcha_holds_the_site(fakesite: Any) -> None:
    fakesite.set_fault("captcha")
    with make_client(fakesite, challenge_cooldown=300) as client:
        with pytest.raises(CaptchaRequired):
            client.resolve_redirect(a_link_id(fakesite))
        fakesite.clear_faults()
        with pytest.raises(SiteRateLimited, match="captcha"):
            client.resolve_redirect(a_link_id(fakesite))
    assert len(fakesite.requests_to("/redirect/")) == 1


def test_zero_cool_down_turns_the_hold_off(fakesite: Any) -> None:
    fakesite.set_fault("ddos_guard", times=2)
    with make_client(fakesite, challenge_cooldown=0) as client:
        with pytest.raises(SiteChallenge):
            client.series("dr-who-s-cat")
        assert client.series("dr-who-s-cat").title == "Dr. Who's Cat"
    assert SiteLimiter(fakesite.url).notice() is None
