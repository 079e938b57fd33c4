"""Configuration: defaults, derived values, and start-up refusals that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from aniworld.config import Config
from aniworld.errors import ConfigError


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"ANIWORLD_DATA_DIR": str(tmp_path / "data"),
            "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"), **extra}


def test_defaults(tmp_path: Path) -> None:
    config = Config.from_env(_env(tmp_path))
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'aniworld.db'}"
    assert config.redis_url == f"unix://{tmp_path / 'data' / 'redis.sock'}"
    assert config.external_redis_url is None
    assert config.site.base_url == "https://aniworld.to"
    assert config.site.transport == "impersonate" and config.site.cache_ttl == 1800
    assert config.master_password is None and config.api_key is None
    assert config.trust_proxy is False


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Config.from_env(_env(tmp_path)).secret_key
    assert len(first) == 64
    assert Config.from_env(_env(tmp_path)).secret_key == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_use_psycopg3(tmp_path: Path) -> None:
    config = Config.from_env(_env(tmp_path, DATABASE_URL="postgres://u@db/aniworld"))
    assert config.database_url == "postgresql+psycopg://u@db/aniworld"


def test_site_url_trailing_slash_is_dropped(tmp_path: Path) -> None:
    config = Config.from_env(_env(tmp_path, ANIWORLD_SITE_URL="https://aniworld.cc/"))
    assert config.site.base_url == "https://aniworld.cc"


def test_site_cookies_are_read_from_the_file(tmp_path: Path) -> None:
    cookie_file = tmp_path / "cookies.txt"
    cookie_file.write_text("__ddg2=abc")
    config = Config.from_env(_env(tmp_path, ANIWORLD_SITE_COOKIES_FILE=str(cookie_file),
                                  ANIWORLD_SITE_TRANSPORT="requests",
                                  ANIWORLD_SITE_CACHE_TTL="60"))
    assert config.site.cookies == "__ddg2=abc"
    assert config.site.transport == "requests" and config.site.cache_ttl == 60


def test_sto_urls_default_and_mirror_list(tmp_path: Path) -> None:
    """ANIWORLD_STO_URL: serienstream.to by default; a comma list keeps order, first preferred."""
    config = Config.from_env(_env(tmp_path))
    assert config.sto_urls == ("https://serienstream.to",)
    assert (config.sto_site.base_url, config.sto_site.engine) == (
        "https://serienstream.to", "serienstream")
    config = Config.from_env(_env(
        tmp_path, ANIWORLD_STO_URL=" https://serienstream.cx/, http://186.2.175.5 ,,"
        "https://serienstream.cx", ANIWORLD_SITE_TRANSPORT="requests"))
    assert config.sto_urls == ("https://serienstream.cx", "http://186.2.175.5")
    assert config.sto_site.base_url == "https://serienstream.cx"
    assert config.sto_site.transport == "requests"
    assert config.sto_site.mirrors == ("http://186.2.175.5",)


def test_sto_shares_transport_cache_and_cool_down_but_not_cookies(tmp_path: Path) -> None:
    cookie_file = tmp_path / "cookies.txt"
    cookie_file.write_text("__ddg2=abc")
    config = Config.from_env(_env(
        tmp_path, ANIWORLD_SITE_COOKIES_FILE=str(cookie_file), ANIWORLD_SITE_CACHE_TTL="60",
        ANIWORLD_SITE_CHALLENGE_COOLDOWN="30", ANIWORLD_SITE_PROXY="http://proxy:3128"))
    sto = config.site_settings("sto")
    assert (sto.cache_ttl, sto.challenge_cooldown, sto.proxy) == (60, 30, "http://proxy:3128")
    assert sto.cookies is None and config.site_settings("aniworld").cookies == "__ddg2=abc"


@pytest.mark.parametrize("value", ["sto", "serienstream", "netflix"])
def test_site_engine_is_refused_pointing_to_the_sto_url(tmp_path: Path, value: str) -> None:
    """s.to runs beside aniworld.to now; the old one-site switch must not start silently."""
    with pytest.raises(ConfigError, match="ANIWORLD_SITE_ENGINE.*beside aniworld.to.*"
                                          "ANIWORLD_STO_URL"):
        Config.from_env(_env(tmp_path, ANIWORLD_SITE_ENGINE=value))


def test_site_engine_aniworld_or_empty_is_harmless(tmp_path: Path) -> None:
    for value in ("aniworld", " ", ""):
        assert Config.from_env(_env(tmp_path, ANIWORLD_SITE_ENGINE=value)).site.engine \
            == "aniworld"


def test_site_url_list_and_ip_form(tmp_path: Path) -> None:
    """ANIWORLD_SITE_URL: a comma list, first preferred; ``http://<ip>#<host>`` is the IP form."""
    config = Config.from_env(_env(
        tmp_path, ANIWORLD_SITE_URL="https://aniworld.to/, https://aniworld.cc,"
        "http://186.2.175.111#aniworld.to"))
    assert config.site.base_url == "https://aniworld.to"
    assert config.site.mirrors == ("https://aniworld.cc", "http://186.2.175.111#aniworld.to")


def test_doh_is_off_by_default_and_serves_both_sites(tmp_path: Path) -> None:
    config = Config.from_env(_env(tmp_path))
    assert (config.site.doh, config.sto_site.doh) == ("off", "off")
    assert not config.site.allow_private_hosts
    config = Config.from_env(_env(tmp_path, ANIWORLD_SITE_DOH="Quad9",
                                  ANIWORLD_ALLOW_PRIVATE_HOSTS="1"))
    assert (config.site.doh, config.sto_site.doh) == ("quad9", "quad9")
    assert config.site.allow_private_hosts and config.sto_site.allow_private_hosts


@pytest.mark.parametrize(("name", "value"), [
    ("ANIWORLD_SITE_DOH", "yes"),
    ("ANIWORLD_SITE_DOH", "http://doh.example/dns-query"),
    ("DATABASE_URL", "mysql://x/y"),
    ("ANIWORLD_STO_URL", "https://serienstream.to,serienstream.cx"),
    ("ANIWORLD_STO_URL", "https://serienstream.to/serie"),
    ("REDIS_URL", "http://localhost:6379"),
    ("ANIWORLD_SITE_URL", "aniworld.to"),
    ("ANIWORLD_SITE_URL", "https://aniworld.to,aniworld.cc"),
    ("ANIWORLD_SITE_TRANSPORT", "telnet"),
    ("ANIWORLD_SITE_PROXY", "ftp://proxy"),
    ("ANIWORLD_SITE_CACHE_TTL", "soon"),
    ("ANIWORLD_SITE_CACHE_TTL", "-5"),
    ("ANIWORLD_SITE_COOKIES_FILE", "/nonexistent/cookies.txt"),
    ("ANIWORLD_SECRET_KEY", "short"),
    ("ANIWORLD_MASTER_PASSWORD", "1234"),
    ("ANIWORLD_API_KEY", "tiny"),
    ("ANIWORLD_TRUST_PROXY", "maybe"),
    ("ANIWORLD_LOG_LEVEL", "LOUD"),
])
def test_invalid_values_stop_startup_naming_the_variable(tmp_path: Path, name: str,
                                                         value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env(_env(tmp_path, **{name: value}))


def test_unwritable_data_dir_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="ANIWORLD_DATA_DIR"):
        Config.from_env({"ANIWORLD_DATA_DIR": str(blocker / "sub")})


def test_integration_variables_are_validated_defaults_under_the_stored_settings(
        tmp_path: Path) -> None:
    from aniworld.services.settings import AppSettings, integration_value

    config = Config.from_env(_env(
        tmp_path, ANIWORLD_MEDIA_SERVER="Jellyfin", ANIWORLD_MEDIA_SERVER_URL="http://jf:8096/",
        ANIWORLD_NOTIFY_URLS="json://127.0.0.1/a, ntfy://ntfy.sh/t",
        ANIWORLD_WRITE_METADATA="off", ANIWORLD_BRIDGE_USERNAME="sonarr"))
    stored = AppSettings()
    assert integration_value(config, stored, "media_server") == "jellyfin"
    assert integration_value(config, stored, "media_server_url") == "http://jf:8096"
    assert integration_value(config, stored, "notify_urls") == "json://127.0.0.1/a ntfy://ntfy.sh/t"
    assert integration_value(config, stored, "write_metadata") is False
    assert integration_value(config, stored, "bridge_username") == "sonarr"
    changed = AppSettings(write_metadata=True, bridge_username="arr", media_server="off")
    assert integration_value(config, changed, "write_metadata") is True
    assert integration_value(config, changed, "bridge_username") == "arr"
    assert integration_value(config, changed, "media_server") == "off"
    bare = Config.from_env(_env(tmp_path))
    assert integration_value(bare, stored, "write_metadata") is True
    assert integration_value(bare, stored, "bridge_username") == "aniworld"
    assert integration_value(bare, stored, "media_server_token") is None


@pytest.mark.parametrize(("name", "value", "says"), [
    ("ANIWORLD_MEDIA_SERVER", "kodi", "jellyfin, emby, plex or off"),
    ("ANIWORLD_MEDIA_SERVER_URL", "jf:8096", "http(s) URL"),
    ("ANIWORLD_NOTIFY_URLS", "not-a-url", "not an Apprise URL"),
    ("ANIWORLD_WRITE_METADATA", "maybe", "true or false"),
    ("ANIWORLD_BRIDGE_USERNAME", "a b", "letters, digits"),
])
def test_bad_integration_variables_stop_startup(tmp_path: Path, name: str, value: str,
                                                says: str) -> None:
    with pytest.raises(ConfigError, match=name) as error:
        Config.from_env(_env(tmp_path, **{name: value}))
    assert says in str(error.value)
