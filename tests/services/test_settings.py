"""Run-time settings: stored overrides of the library folder and the site settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.errors import ValidationError
from aniworld.services.settings import (
    AppSettings,
    effective_library_dir,
    effective_site_settings,
    load_settings,
    save_settings,
    validate_changes,
)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A configuration whose site settings come from the environment."""
    return Config.from_env({
        "ANIWORLD_DATA_DIR": str(tmp_path / "data"),
        "ANIWORLD_LIBRARY_DIR": str(tmp_path / "env-library"),
        "ANIWORLD_SITE_URL": "https://env.example",
        "ANIWORLD_SITE_TRANSPORT": "requests",
        "ANIWORLD_SITE_CACHE_TTL": "900",
    })


def test_nothing_stored_means_the_environment(config: Config) -> None:
    assert effective_site_settings(config, AppSettings()) == config.site
    assert effective_library_dir(config, AppSettings()) == config.library_dir


def test_stored_values_override_the_environment(config: Config, tmp_path: Path) -> None:
    settings = AppSettings(site_url="https://mirror.example/", site_proxy="http://p.example:8",
                           site_cookies="a=b", site_cache_ttl=0,
                           library_dir=str(tmp_path / "mine"))
    site = effective_site_settings(config, settings)
    assert (site.base_url, site.proxy, site.cookies, site.cache_ttl) == (
        "https://mirror.example", "http://p.example:8", "a=b", 0)
    assert site.transport == "requests"  # not overridden
    assert effective_library_dir(config, settings) == tmp_path / "mine"


def test_bad_combination_names_the_settings_field(config: Config) -> None:
    with pytest.raises(ValidationError) as caught:
        effective_site_settings(config, AppSettings(site_proxy="socks5://127.0.0.1:1080"))
    assert caught.value.field == "site_proxy"


@pytest.mark.parametrize(("changes", "field"), [
    ({"site_url": "ftp://mirror.example"}, "site_url"),
    ({"site_url": "https://mirror.example/path"}, "site_url"),
    ({"site_transport": "curl"}, "site_transport"),
    ({"site_proxy": "not a url"}, "site_proxy"),
    ({"site_cache_ttl": -1}, "site_cache_ttl"),
    ({"site_cache_ttl": "60"}, "site_cache_ttl"),
    ({"site_cookies": 42}, "site_cookies"),
    ({"site_doh": "on"}, "site_doh"),
    ({"library_dir": "relative/path"}, "library_dir"),
    ({"library_dir": 7}, "library_dir"),
])
def test_invalid_overrides_are_rejected(session: Session, changes: dict[str, object],
                                        field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        save_settings(session, **changes)
    assert caught.value.field == field
    assert field in validate_changes(**changes)


@pytest.mark.parametrize(("template", "reason"), [
    ("{series}.{ext}", "must contain {episode}"),
    ("{season:{series.__class__.__mro__}}/{episode}.{ext}", "format spec"),
])
def test_a_template_that_cannot_tell_episodes_apart_is_not_saved(
        session: Session, template: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("{", r"\{")):
        save_settings(session, naming_template=template)
    assert load_settings(session).naming_template == AppSettings().naming_template


def test_overrides_round_trip_and_reset(session: Session, tmp_path: Path) -> None:
    save_settings(session, site_url="https://mirror.example", site_transport="impersonate",
                  site_cache_ttl=60, library_dir=str(tmp_path / "lib" / "new"))
    session.commit()
    settings = load_settings(session)
    assert (settings.site_url, settings.site_transport, settings.site_cache_ttl) == (
        "https://mirror.example", "impersonate", 60)
    assert (tmp_path / "lib" / "new").is_dir()  # created on save
    save_settings(session, site_url=None, library_dir=None)
    session.commit()
    assert load_settings(session).site_url is None
    assert load_settings(session).library_dir is None


def test_library_dir_that_cannot_be_created(session: Session, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    errors = validate_changes(library_dir=str(blocker / "sub"))
    assert "cannot be created" in errors["library_dir"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write everywhere")
def test_library_dir_that_is_not_writable(session: Session, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "not writable" in validate_changes(library_dir=str(locked))["library_dir"]


def test_unmounted_library_dir_is_kept_on_load(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "share"
    save_settings(session, library_dir=str(folder))
    session.commit()
    folder.rmdir()
    # Falling back to the environment's folder would scatter downloads; keep the choice.
    assert load_settings(session).library_dir == str(folder)


def test_validate_changes_reports_every_bad_field() -> None:
    errors = validate_changes(parallel_downloads=0, container="avi", site_url="nope",
                              max_attempts=3)
    assert set(errors) == {"parallel_downloads", "container", "site_url"}


def test_monitor_interval_defaults_to_six_hours_and_zero_turns_it_off(session: Session) -> None:
    assert load_settings(session).monitor_interval_hours == 6
    save_settings(session, monitor_interval_hours=0)
    session.commit()
    assert load_settings(session).monitor_interval_hours == 0
    save_settings(session, monitor_interval_hours=168)
    assert load_settings(session).monitor_interval_hours == 168


@pytest.mark.parametrize("value", [-1, 169, "6", 2.5, True, None])
def test_monitor_interval_must_be_whole_hours_up_to_a_week(value: object) -> None:
    errors = validate_changes(monitor_interval_hours=value)
    assert errors == {"monitor_interval_hours":
                      "monitor_interval_hours must be a whole number from 0 to 168"}


def test_each_site_has_its_own_overrides_with_mirror_lists(session: Session,
                                                          tmp_path: Path) -> None:
    config = Config.from_env({"ANIWORLD_DATA_DIR": str(tmp_path / "data"),
                              "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib")})
    settings = save_settings(session, sto_url="https://s.to, http://186.2.175.5#s.to",
                             sto_transport="requests")
    assert settings.sto_url == "https://s.to, http://186.2.175.5#s.to"
    sto = effective_site_settings(config, settings, "sto")
    assert (sto.base_url, sto.mirrors, sto.engine) == (
        "https://s.to", ("http://186.2.175.5#s.to",), "serienstream")
    assert sto.transport == "requests" and sto.site == "sto"
    aniworld = effective_site_settings(config, settings)
    assert (aniworld.base_url, aniworld.transport) == ("https://aniworld.to", "impersonate")
    with pytest.raises(ValidationError) as caught:
        save_settings(session, sto_url="ftp://s.to")
    assert caught.value.field == "sto_url"


def test_stored_doh_serves_both_sites(session: Session, config: Config) -> None:
    settings = save_settings(session, site_doh=" Google ")
    assert load_settings(session).site_doh == "google"
    assert effective_site_settings(config, settings).doh == "google"
    assert effective_site_settings(config, settings, "sto").doh == "google"
    assert effective_site_settings(config, AppSettings()).doh == "off"  # the environment's
