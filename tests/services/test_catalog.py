"""The catalogue: a snapshot knows its site, so one slug on two sites is two series."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, ValidationError
from aniworld.models import Series
from aniworld.services import catalog
from aniworld.services.series import series_seasons
from aniworld.sites import ANIWORLD, STO
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import make_client

BLAU = "blauer-mond"


def fetch(fakesite: FakeSite, site: str, key: str = BLAU) -> catalog.SeriesSnapshot:
    with make_client(fakesite, site) as client:
        return catalog.fetch_series(client, key)


def test_series_of_both_sites_with_one_slug_coexist(session: Session,
                                                     fakesite: FakeSite) -> None:
    anime, show = fetch(fakesite, ANIWORLD), fetch(fakesite, STO)
    assert (anime.site, show.site) == (ANIWORLD, STO)

    catalog.add_series(session, anime)
    catalog.add_series(session, show)
    session.commit()

    rows = session.execute(select(Series.site, Series.key, Series.year)
                           .order_by(Series.site)).all()
    assert [tuple(row) for row in rows] == [(ANIWORLD, BLAU, 2020), (STO, BLAU, 2011)]
    with pytest.raises(ConflictError, match="already in the library"):
        catalog.add_series(session, show)
    # A refresh updates the row of its own site.
    catalog.store_snapshot(session, show)
    session.flush()
    assert len(session.scalars(select(Series)).all()) == 2


def test_the_site_given_wins_over_the_snapshots(session: Session,
                                                fakesite: FakeSite) -> None:
    series = catalog.store_snapshot(session, fetch(fakesite, STO, "demo-serie"), STO)
    assert (series.site, series.key) == (STO, "demo-serie")


def seasons(series: Series) -> list[tuple[int, int, bool]]:
    """(season, stored episodes, announced) of a library series."""
    return [(s.number, len(s.episodes), s.announced) for s in series_seasons(series)]


def test_the_sites_season_list_is_stored_with_its_announced_seasons(
        session: Session, fakesite: FakeSite) -> None:
    cat = catalog.add_series(session, fetch(fakesite, ANIWORLD, "dr-who-s-cat"))
    reboot = catalog.add_series(session, fetch(fakesite, STO, "demo-serie-reboot-rache"))
    films = catalog.add_series(session, fetch(fakesite, STO, "demo-serie"))
    session.commit()
    session.expire_all()
    assert (cat.season_list, reboot.season_list, films.season_list) == ("1,2", "1,2", "0,1,2")
    assert seasons(cat) == [(1, 8, False), (2, 0, True)]
    assert seasons(reboot) == [(1, 1, False), (2, 0, True)]


def test_a_refresh_updates_the_season_list(session: Session, fakesite: FakeSite) -> None:
    cat = catalog.add_series(session, fetch(fakesite, ANIWORLD, "dr-who-s-cat"))
    session.commit()
    fakesite.release("dr-who-s-cat", 3)  # a season that was not even announced
    fakesite.aniworld.modes.announced = "rows"  # season 2's announcements are listed now
    catalog.store_snapshot(session, fetch(fakesite, ANIWORLD, "dr-who-s-cat"))
    session.commit()
    session.expire_all()
    assert cat.season_list == "1,2,3"
    assert seasons(cat) == [(1, 8, False), (2, 2, True), (3, 1, False)]


@pytest.mark.parametrize("key", ["one-piece", "A1", "x" * 200])
def test_bare_slugs_are_series_keys(key: str) -> None:
    assert catalog.check_series_key(key) == key


@pytest.mark.parametrize("key", ["", "sto:dark", "-dash", "a/b", "x" * 201, "dark\n", None])
def test_anything_else_is_refused(key: object) -> None:
    with pytest.raises(ValidationError) as refused:
        catalog.check_series_key(key)  # type: ignore[arg-type]
    assert refused.value.field == "key"
