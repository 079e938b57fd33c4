"""File naming for downloads and the settings preview: the series' site reaches ``{site}``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.services import queue
from aniworld.services.file_naming import SAMPLE, episode_path, preview_path, sample_episode
from aniworld.services.settings import AppSettings
from tests.db_fixtures import claim_item

LIB = Path("/srv/library")
BY_SITE = AppSettings(
    naming_template="{site}/{series}/S{season:02}E{episode:02} [{language}].{ext}")


def test_claim_of_an_sto_item_names_its_file_under_sto(
        session: Session, make_series: Callable[..., Series]) -> None:
    series = make_series(site="sto", key="dark", title="Dark", year=2017)
    series.episodes.append(Episode(season=1, number=2, title_de="Lügen"))
    item = queue.add_item(session, series, 1, 2, Language.GERMAN_DUB)

    claim = claim_item(session, item.id)

    assert (claim.series_site, claim.series_key) == ("sto", "dark")
    assert episode_path(LIB, BY_SITE, claim, Language.GERMAN_DUB) == \
        LIB / "sto/Dark/S01E02 [German Dub].mp4"


def test_preview_uses_the_first_series_and_its_site(
        session: Session, make_series: Callable[..., Series]) -> None:
    assert sample_episode(session) == SAMPLE and SAMPLE.series_site == "aniworld"
    series = make_series(site="sto", key="dark", title="Dark")
    series.episodes.append(Episode(season=1, number=1, title_de="Geheimnisse"))
    session.flush()
    assert preview_path(session, LIB, BY_SITE) == LIB / "sto/Dark/S01E01 [German Dub].mp4"
    default = preview_path(session, LIB, AppSettings())
    assert default == LIB / "Dark/Season 01/Dark - S01E01 - Geheimnisse [German Dub].mp4"
