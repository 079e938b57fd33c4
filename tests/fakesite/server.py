"""FakeSite: the site server and the hoster server, started together on loopback ports."""

from __future__ import annotations

from tests.fakesite.admin import AdminApp
from tests.fakesite.catalog import Catalog, Episode
from tests.fakesite.content import build_catalog
from tests.fakesite.faults import Fault, FaultSet, make_fault
from tests.fakesite.hosters import HosterApp, voe_cdn
from tests.fakesite.httpbase import ServerThread
from tests.fakesite.releases import Languages, publish_languages, release_episode
from tests.fakesite.requestlog import RequestLog, RequestRecord, max_concurrency
from tests.fakesite.site import SiteApp
from tests.fakesite.sto_site import STO_HOST, NamedHostOnly, StoApp
from tests.fakesite.tls import server_context


class FakeSite:
    """The site, hoster and s.to V2 servers plus the shared catalogue, faults and logs.

    s.to V2 answers on two loopback "hosts" (``sto_url`` and its mirror ``sto_mirror_url``)
    with the same content; ``sto.modes`` switches its gate, token and inferred behaviours,
    ``aniworld.modes`` those of aniworld.to.
    A third, ``sto_ip_url``, plays the bare IP: it serves only requests with
    ``Host: serienstream.localhost`` (``sto_ip_base`` is the client's form of it).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hoster_port: int = 0) -> None:
        self.catalog: Catalog = build_catalog()
        self.faults = FaultSet()
        self.logs = {"site": RequestLog(), "hoster": RequestLog(), "sto": RequestLog(),
                     "sto-mirror": RequestLog(), "sto-ip": RequestLog()}
        # The hoster port also speaks HTTPS (test CA, tests/fakesite/tls.py): Vidara's media.
        self._hoster = ServerThread(
            "hoster", HosterApp(self.catalog), self.logs["hoster"], self.faults, host,
            hoster_port, tls=server_context(),
        )
        self.aniworld = SiteApp(self.catalog, self._hoster.url)
        admin = AdminApp(self.aniworld, self.faults, self.logs, self.catalog)
        self._site = ServerThread("site", admin, self.logs["site"], self.faults, host, port)
        self.sto = StoApp(self.catalog, self._hoster.url)
        self._sto = [ServerThread(name, app, self.logs[name], self.faults, host, 0)
                     for name, app in (("sto", self.sto), ("sto-mirror", self.sto),
                                       ("sto-ip", NamedHostOnly(self.sto)))]

    @property
    def url(self) -> str:
        """Site base URL, e.g. ``http://127.0.0.1:8765`` (no trailing slash)."""
        return self._site.url

    @property
    def hoster_url(self) -> str:
        """Hoster server base URL (a different origin from the site)."""
        return self._hoster.url

    @property
    def sto_url(self) -> str:
        """Base URL of the s.to V2 stand-in (a different origin from site and hosters)."""
        return self._sto[0].url

    @property
    def sto_mirror_url(self) -> str:
        """Base URL of the s.to V2 mirror host: same content, same tokens."""
        return self._sto[1].url

    @property
    def sto_ip_url(self) -> str:
        """Base URL of the s.to "IP" host: it answers only for ``Host: serienstream.localhost``."""
        return self._sto[2].url

    @property
    def sto_ip_base(self) -> str:
        """The IP host in the client's mirror syntax, ``http://<ip>:<port>#<host name>``."""
        return f"{self.sto_ip_url}#{STO_HOST}"

    @property
    def requests(self) -> list[RequestRecord]:
        """Requests the site answered so far (admin calls excluded)."""
        return self.logs["site"].snapshot()

    @property
    def hoster_requests(self) -> list[RequestRecord]:
        """Requests the hoster server answered so far."""
        return self.logs["hoster"].snapshot()

    def requests_to(self, path_prefix: str, server: str = "site") -> list[RequestRecord]:
        """Logged requests whose path starts with ``path_prefix``."""
        return [r for r in self.logs[server].snapshot() if r.path.startswith(path_prefix)]

    def set_fault(self, kind: str, **options: object) -> Fault:
        """Activate a fault (see faults.KINDS); options: prefix, times, status, retry_after,
        latency_ms, server ("site" or "hoster")."""
        return self.faults.add(make_fault(kind, **options))

    def clear_faults(self) -> None:
        """Deactivate every fault."""
        self.faults.clear()

    def clear_requests(self) -> None:
        """Empty both request logs."""
        for log in self.logs.values():
            log.clear()

    def release(
        self,
        slug: str,
        season: int,
        titles: tuple[str, ...] = (),
        languages: Languages | None = None,
        site: str = "aniworld",
    ) -> Episode:
        """Append a new episode to a season (see releases.release_episode); undone by reset."""
        return release_episode(self.catalog, slug, season, titles, languages, site)

    def publish(self, slug: str, season: int, number: int, languages: Languages,
                site: str = "aniworld") -> Episode:
        """Offer an existing episode in more languages (releases.publish_languages); undone
        by reset."""
        return publish_languages(self.catalog, slug, season, number, languages, site)

    def reset(self) -> None:
        """Clear faults, logs, released episodes and the VOE CDN's clock (done before every
        test by the fixture)."""
        self.clear_faults()
        self.clear_requests()
        self.catalog.restore()
        self.aniworld.reset()
        self.sto.reset()
        voe_cdn.CDN.reset()

    def max_concurrency(self, server: str = "site") -> int:
        """Largest number of overlapping requests seen by one server."""
        return max_concurrency(self.logs[server].snapshot())

    def start(self) -> FakeSite:
        """Start both servers and return self."""
        self._hoster.start()
        self._site.start()
        for server in self._sto:
            server.start()
        return self

    def stop(self) -> None:
        """Stop both servers and join their threads."""
        self._site.stop()
        for server in self._sto:
            server.stop()
        self._hoster.stop()
