"""Settings validation names the field; cookie import accepts both formats."""

from __future__ import annotations

import pytest

from aniworld.errors import ValidationError
from aniworld.site.cookies import parse_cookies
from aniworld.site.settings import SiteSettings

NETSCAPE = """# Netscape HTTP Cookie File
.aniworld.to\tTRUE\t/\tTRUE\t1999999999\t__ddg1_\tabc
#HttpOnly_aniworld.to\tFALSE\t/\tTRUE\t0\taniworld_session\txyz
.google.com\tTRUE\t/\tTRUE\t1999999999\tNID\tsecret
"""


def test_defaults_are_valid() -> None:
    """The documented defaults."""
    settings = SiteSettings()
    assert (settings.base_url, settings.cache_ttl, settings.max_in_flight) == (
        "https://aniworld.to", 1800, 2,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_url", "ftp://x"),
        ("base_url", "https://aniworld.to/anime"),
        ("engine", "v2"),
        ("transport", "selenium"),
        ("proxy", "nonsense"),
        ("cache_ttl", -1),
        ("max_in_flight", 0),
        ("min_interval", -0.1),
        ("timeout", 0),
        ("max_retries", 1.5),
        ("user_agent", " "),
    ],
)
def test_invalid_settings_name_the_field(field: str, value: object) -> None:
    """ValidationError.field is the offending setting."""
    with pytest.raises(ValidationError) as info:
        SiteSettings(**{field: value})  # type: ignore[arg-type]
    assert info.value.field == field


def test_socks_proxy_needs_impersonate_transport() -> None:
    """requests has no SOCKS support without an extra package."""
    SiteSettings(proxy="socks5h://127.0.0.1:1080")
    with pytest.raises(ValidationError):
        SiteSettings(proxy="socks5://127.0.0.1:1080", transport="requests")


def test_base_url_is_normalised() -> None:
    """Trailing slash removed, so paths join cleanly."""
    assert SiteSettings(base_url="https://aniworld.cc/").base_url == "https://aniworld.cc"


def test_netscape_cookies_only_for_the_site() -> None:
    """A whole-browser export never leaks other sites' cookies."""
    cookies = parse_cookies(NETSCAPE, "aniworld.to")
    assert [(c.name, c.value) for c in cookies] == [("__ddg1_", "abc"), ("aniworld_session", "xyz")]
    assert parse_cookies(NETSCAPE, "127.0.0.1") == []


def test_header_style_cookies() -> None:
    """A "name=value; name2=value2" line, with or without the Cookie: prefix."""
    cookies = parse_cookies("Cookie: __ddg1_=abc; x=1=2; broken", "aniworld.to")
    assert [(c.name, c.value) for c in cookies] == [("__ddg1_", "abc"), ("x", "1=2")]
    assert parse_cookies("  ", "aniworld.to") == []
