"""Deterministic invented content: every edge case the scraper must survive has a home here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from tests.fakesite.catalog import Catalog, Episode, HosterLink, Season, Series
from tests.fakesite.html import slugify
from tests.fakesite.languages import ENGLISH_DUB, ENGLISH_SUB, GERMAN_DUB, GERMAN_SUB

LONG_SLUG = "endless-journey"
STO_LONG_SLUG = "weite-wege"  # the s.to V2 counterpart: 20 seasons, 500 episodes

# Items /ajax/search mixes into its answers next to series and episodes.
SUPPORT_QUESTIONS = (
    ("Warum lädt Kämpfer des Lichts nicht?", "warum-laedt-der-stream-nicht"),
    ("Wie melde ich einen defekten Link?", "wie-melde-ich-einen-defekten-link"),
)
USERS = ("Lichtkaempfer", "KitchenMage99", "journeyfan")

Langs = dict[str, tuple[str, ...]]
FULL: Langs = {
    GERMAN_DUB: ("VOE", "Vidmoly", "Filemoon"),
    GERMAN_SUB: ("VOE", "Vidmoly"),
    ENGLISH_SUB: ("VOE",),
}
SUBS_ONLY: Langs = {GERMAN_SUB: ("VOE", "Vidmoly"), ENGLISH_SUB: ("Vidmoly",)}


class _Ids:
    """Site-wide counters so episode and link ids are unique and stable."""

    def __init__(self) -> None:
        self.episode = 10400
        self.link = 3540000

    def next_episode(self) -> int:
        """Return a fresh episode id."""
        self.episode += 1
        return self.episode

    def next_link(self) -> int:
        """Return a fresh link id."""
        self.link += 1
        return self.link


def _code(link_id: int) -> str:
    return hashlib.sha1(f"link-{link_id}".encode()).hexdigest()[:12]


def _episode(ids: _Ids, season: int, number: int, titles: tuple[str, str], langs: Langs) -> Episode:
    episode_id = ids.next_episode()
    links = []
    for language, hosters in langs.items():
        for hoster in hosters:
            link_id = ids.next_link()
            links.append(HosterLink(link_id, hoster, language, _code(link_id)))
    text = f"Folge {number}: {titles[0] or titles[1]} – was bisher geschah & was kommt."
    return Episode(episode_id, season, number, titles[0], titles[1], text, tuple(links))


def new_episode(
    episode_id: int, first_link_id: int, season: int, number: int, titles: tuple[str, str],
    langs: Langs,
) -> Episode:
    """An episode built like the catalogue's ones, its link ids counted from ``first_link_id``."""
    ids = _Ids()
    ids.episode, ids.link = episode_id - 1, first_link_id - 1
    return _episode(ids, season, number, titles, langs)


def _season(ids: _Ids, number: int, titles: Iterable[tuple[str, str]], langs: Langs) -> Season:
    eps = [_episode(ids, number, i, t, langs) for i, t in enumerate(titles, start=1)]
    return Season(number, tuple(eps))


def _series(slug: str, title: str, **fields: object) -> Series:
    defaults: dict[str, object] = {
        "alt_titles": (),
        "description": f"{title} – eine erfundene Serie für Tests.",
        "start_year": 2020,
        "end_year": 2024,
        "fsk": 12,
        "imdb": "tt" + str(int(hashlib.sha1(slug.encode()).hexdigest(), 16))[:7],
        "genres": ("Action",),
        "directors": ("Kenji Mori",),
        "actors": ("Yui Sato", "Hana Ito"),
        "films": (),
        "cover_hash": hashlib.sha1(slug.encode()).hexdigest()[:32],
    }
    defaults.update(fields)
    return Series(slug=slug, title=title, **defaults)  # type: ignore[arg-type]


def _kaempfer(ids: _Ids) -> Series:
    def langs_for(season: int, number: int) -> Langs:
        return {GERMAN_SUB: ("VOE", "Vidmoly")} if (season, number) == (2, 3) else FULL

    seasons = []
    for number, count in ((1, 12), (2, 12), (3, 32)):
        eps = []
        for i in range(1, count + 1):
            en = "" if (number, i) == (1, 5) else f"Light #{number}-{i}"
            eps.append(
                _episode(ids, number, i, (f"Licht Nr. {number}-{i}", en), langs_for(number, i))
            )
        seasons.append(Season(number, tuple(eps)))
    film_titles = (
        "Kämpfer des Lichts: Der Film [Movie]",
        "Kämpfer des Lichts: Die Schattenkrone [Movie][Part 2]",
        "Die verlorene Insel [OVA]",
    )
    films = tuple(
        _episode(ids, 0, k, ("", t), FULL if k != 3 else {GERMAN_SUB: ("VOE",)})
        for k, t in enumerate(film_titles, start=1)
    )
    return _series(
        "kaempfer-des-lichts-die-rueckkehr",
        "Kämpfer des Lichts: Die Rückkehr",
        alt_titles=("Hikari no Senshi: Kikan", "Warriors of Light: The Return"),
        description='Als der „Orden des Lichts" zerfällt, müssen Aiko & Ren <allein> kämpfen. '
        "Es ist über 1000 Jahre her, dass das Licht erlosch – doch jetzt kehrt es zurück. "
        "Wer wird die Dunkelheit besiegen, und wer verliert dabei alles?",
        start_year=2019,
        end_year=2024,
        fsk=16,
        genres=("Action", "Fantasy", "Abenteuer"),
        seasons=tuple(seasons),
        films=films,
    )


def _hells_kitchen(ids: _Ids) -> Series:
    titles = []
    for i in range(1, 11):
        en = {2: "", 7: "Seven Spices [Episode 7]", 9: ""}.get(i, f"The Chef's Dish {i}")
        titles.append((f"Höllenküche {i}", en))
    return _series(
        "hell-s-kitchen-mage",
        "Hell's Kitchen Mage",
        alt_titles=("Jigoku no Kicchin Madoushi",),
        description='Ein Magier kocht in der Hölle: "Feuer & Flamme" – Gäste, die nie zahlen.',
        start_year=2023,
        end_year=None,
        genres=("Comedy", "Fantasy"),
        seasons=(_season(ids, 1, titles, SUBS_ONLY),),
    )


def _endless(ids: _Ids) -> Series:
    langs: Langs = {GERMAN_DUB: ("VOE", "Vidmoly"), GERMAN_SUB: ("VOE", "Vidmoly")}
    seasons = tuple(
        _season(ids, n, ((f"Etappe {n}.{i}", f"Leg {n}.{i}") for i in range(1, 26)), langs)
        for n in range(1, 21)
    )
    return _series(
        LONG_SLUG,
        "Endless Journey",
        alt_titles=("Owari naki Tabi",),
        start_year=2001,
        end_year=2021,
        genres=("Abenteuer", "Drama"),
        seasons=seasons,
    )


def _sternenstaub(ids: _Ids) -> Series:
    films = (
        _episode(ids, 0, 1, ("Sternenstaub", "Stardust [Movie]"), {GERMAN_DUB: ("VOE",)}),
        _episode(ids, 0, 2, ("", "Stardust: Zero [Movie][Part 2]"), SUBS_ONLY),
    )
    return _series("sternenstaub", "Sternenstaub", genres=("Drama",), seasons=(), films=films)


def _dr_who(ids: _Ids) -> Series:
    specs: list[tuple[str, str, Langs]] = [
        ("Der erste Kater", "The First Cat", {GERMAN_DUB: ("VOE",)}),
        ("Zweisprachig", "Bilingual", {GERMAN_DUB: ("VOE", "Vidoza"), ENGLISH_DUB: ("VOE",)}),
        ("Ankündigung", "Announcement", {}),
        ("Viele Hoster", "Many Hosters", {GERMAN_DUB: ("VOE", "Filemoon", "LoadX", "Doodstream")}),
        ("Miau", "Meow", FULL),
        ("Katzenjammer", "Caterwaul", FULL),
        ("Sieben Leben", "Seven Lives [Episode 7]", FULL),
        ("Das Ende?", "", {GERMAN_SUB: ("Vidmoly",)}),
    ]
    eps = tuple(_episode(ids, 1, i, (de, en), la) for i, (de, en, la) in enumerate(specs, 1))
    return _series(
        "dr-who-s-cat",
        "Dr. Who's Cat",
        description="Eine Katze reist durch die Zeit & nichts bleibt, wie es war.",
        genres=("Comedy", "Sci-Fi"),
        seasons=(Season(1, eps),),  # + the announced season 2 (ANNOUNCED)
    )


def _fillers(ids: _Ids) -> list[Series]:
    series = []
    for adjective in ("Blauer", "Stiller", "Roter", "Wilder"):
        for noun in ("Drache", "Mond", "Fluss", "Sturm", "Wald", "Falke", "Stern", "Berg"):
            title = f"{adjective} {noun}"
            titles = [(f"{title} {i}", f"Episode {i}") for i in range(1, 4)]
            season = _season(ids, 1, titles, {GERMAN_SUB: ("VOE",)})
            series.append(_series(slugify(title), title, genres=("Abenteuer",), seasons=(season,)))
    return series


def generated_series(count: int, first_ids: tuple[int, int], seasons: int = 1,
                     episodes: int = 12) -> list[Series]:
    """``count`` invented aniworld series ("Serie 0001", ...) for benchmarks of many series.

    Episode and link ids count from ``first_ids`` (``Catalog.next_ids``), so they add to a
    built catalogue without clashing. Not part of the built catalogue: add them at run time.
    """
    ids = _Ids()
    ids.episode, ids.link = first_ids[0] - 1, first_ids[1] - 1
    series = []
    for index in range(1, count + 1):
        title = f"Serie {index:04d}"
        built = tuple(_season(ids, number, ((f"{title} {number}.{i}", f"Episode {i}")
                                            for i in range(1, episodes + 1)),
                              {GERMAN_SUB: ("VOE",)})
                      for number in range(1, seasons + 1))
        series.append(_series(slugify(title), title, seasons=built))
    return series


STO_V2 = "serienstream"
STO_V2_LANGS: Langs = {
    GERMAN_DUB: ("VOE", "Vidoza"),
    ENGLISH_DUB: ("VOE",),
    GERMAN_SUB: ("Doodstream",),
}


def _serienstream(ids: _Ids) -> list[Series]:
    """s.to V2 series: season 1 with an English-German-only and an upcoming row, films."""
    season_1 = Season(1, (
        _episode(ids, 1, 1, ("Neuanfang", "Pilot"), STO_V2_LANGS),
        _episode(ids, 1, 2, ("Kein Zurück", "No Way Back"), {GERMAN_SUB: ("VOE",)}),
        _episode(ids, 1, 3, ("Der Morgen danach", ""), {GERMAN_DUB: ("VOE",)}),
        _episode(ids, 1, 4, ("Folge 4", ""), {}),  # upcoming: "Demnächst", no buttons
    ))
    season_2 = _season(ids, 2, (("Rückkehr", "Return"), ("O'Briens Plan", "O'Brien's Plan")),
                       {GERMAN_DUB: ("VOE",), ENGLISH_DUB: ("Vidoza",)})
    films = (
        _episode(ids, 0, 1, ("Demo Serie: Der Film", "Demo Series: The Movie"),
                 {GERMAN_DUB: ("VOE",)}),
        _episode(ids, 0, 2, ("Weihnachtsspecial", "Christmas Special"), {ENGLISH_DUB: ("VOE",)}),
    )
    reboot = _season(ids, 1, (("Alles neu", "All New"),), {GERMAN_DUB: ("VOE",)})
    return [
        _series("demo-serie", "Demo Serie", start_year=2019, fsk=12, genres=("Drama", "Krimi"),
                actors=("Anna Berg", "Carl Dorn", "Eva Fink"), seasons=(season_1, season_2),
                films=films, site=STO_V2,
                description="Kurzbeschreibung mit Umlauten äöü & \"Zitaten\"."),
        _series("demo-serie-reboot-rache", "Demo Serie: Reboot & Rache", start_year=2024,
                genres=("Drama",), seasons=(reboot,), site=STO_V2),
    ]


def _nebelufer(ids: _Ids) -> Series:
    """A 2026 series: episode 1 only on Vidara (site-2026 §2), episode 2 also on VOE."""
    specs = (
        (("Am Nebelufer", "At the Misty Shore"), {GERMAN_DUB: ("Vidara",)}),
        (("Flut", "Tide"), {GERMAN_DUB: ("Vidara", "VOE")}),
    )
    eps = tuple(_episode(ids, 1, i, t, la) for i, (t, la) in enumerate(specs, 1))
    return _series("nebelufer", "Nebelufer", start_year=2026, end_year=None,
                   genres=("Drama",), seasons=(Season(1, eps),))


def _weite_wege(ids: _Ids) -> Series:
    """A long s.to V2 series (20 seasons of 25 episodes) for the enumeration benchmark."""
    seasons = tuple(
        _season(ids, n, ((f"Weg {n}.{i}", f"Way {n}.{i}") for i in range(1, 26)),
                {GERMAN_DUB: ("VOE",)})
        for n in range(1, 21)
    )
    return _series(STO_LONG_SLUG, "Weite Wege", start_year=2004, end_year=2024,
                   genres=("Abenteuer",), seasons=seasons, site=STO_V2)


def _blauer_mond_sto(ids: _Ids) -> Series:
    """An s.to series with the slug and title of an aniworld one (the live-action remake)."""
    season = _season(ids, 1, (("Neumond", "New Moon"), ("Vollmond", "Full Moon")),
                     {GERMAN_DUB: ("VOE",)})
    return _series("blauer-mond", "Blauer Mond", start_year=2011, end_year=2013,
                   genres=("Fantasy",), seasons=(season,), site=STO_V2)


# Seasons a site lists before anything of them is out: (site, slug) -> (season, titles of
# its upcoming episodes). How their pages look is a mode of each stand-in (``announced``).
ANNOUNCED: dict[tuple[str, str], tuple[int, tuple[tuple[str, str], ...]]] = {
    ("aniworld", "dr-who-s-cat"): (2, (("Neun Leben", "Nine Lives"), ("Kater Nr. 2", ""))),
    (STO_V2, "demo-serie-reboot-rache"): (2, (("Rache, Teil 2", "Revenge, Part 2"),)),
}


def _announce(ids: _Ids, series: Series) -> Series:
    """``series`` with its announced season (if it has one): listed, only upcoming episodes."""
    found = ANNOUNCED.get((series.site, series.slug))
    if found is None:
        return series
    number, titles = found
    seasons = {s.number: s for s in series.seasons}
    seasons[number] = _season(ids, number, titles, {})
    return replace(series, seasons=tuple(seasons[n] for n in sorted(seasons)))


def build_catalog() -> Catalog:
    """Build the full, deterministic catalogue of aniworld and s.to V2."""
    ids = _Ids()
    series = [_kaempfer(ids), _hells_kitchen(ids), _endless(ids), _sternenstaub(ids)]
    series += [_dr_who(ids), *_fillers(ids), *_serienstream(ids)]
    series.append(_nebelufer(ids))  # after the others, so every older id stays what it was
    series.append(_weite_wege(ids))  # likewise
    series.append(_blauer_mond_sto(ids))
    series = [_announce(ids, s) for s in series]  # likewise
    return Catalog(series)
