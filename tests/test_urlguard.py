"""The URL guard in front of every hoster and media request."""

from __future__ import annotations

import pytest

from aniworld.urlguard import BlockedUrl, check_public_url


@pytest.mark.parametrize("url", [
    "ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost",
    "http://127.0.0.1/x", "http://localhost:8000/x", "http://10.1.2.3/x", "http://192.168.0.1/",
    "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://[broken/x",
])
def test_refused(url: str) -> None:
    with pytest.raises(BlockedUrl):
        check_public_url(url)


def test_public_address_allowed() -> None:
    assert check_public_url("https://93.184.215.14/e/abc") == "https://93.184.215.14/e/abc"


def test_private_allowed_when_configured() -> None:
    assert check_public_url("http://127.0.0.1:5/x", allow_private_hosts=True)
    with pytest.raises(BlockedUrl):
        check_public_url("ftp://127.0.0.1/x", allow_private_hosts=True)
