"""``/__fakesite/…`` endpoints: switch faults, read the request log and release episodes
from outside the process."""

from __future__ import annotations

import json

from tests.fakesite.blocks import Response
from tests.fakesite.catalog import Catalog, Episode
from tests.fakesite.faults import FaultSet, make_fault
from tests.fakesite.httpbase import ADMIN_PREFIX, App, Request
from tests.fakesite.releases import ReleaseError, publish_languages, release_episode
from tests.fakesite.requestlog import RequestLog, max_concurrency


def _json(value: object, status: int = 200) -> Response:
    return Response(status, json.dumps(value).encode(), "application/json")


class AdminApp:
    """Wraps the site app and answers the admin paths itself."""

    def __init__(
        self, site: App, faults: FaultSet, logs: dict[str, RequestLog], catalog: Catalog
    ) -> None:
        self.site, self.faults, self.logs, self.catalog = site, faults, logs, catalog

    def __call__(self, request: Request) -> Response:
        """Answer admin paths, pass everything else to the site."""
        if not request.path.startswith(ADMIN_PREFIX):
            return self.site(request)
        name = request.path[len(ADMIN_PREFIX) :].strip("/")
        if name == "faults":
            return self._faults(request)
        if name == "requests":
            return self._requests(request)
        if name == "release" and request.method == "POST":
            return self._release(request)
        if name == "reset" and request.method == "POST":
            self.faults.clear()
            for log in self.logs.values():
                log.clear()
            self.catalog.restore()
            return _json({"ok": True})
        return _json({"error": "unknown admin endpoint"}, 404)

    def _faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
        elif request.method == "POST":
            try:
                specs = json.loads(request.body or b"[]")
                for spec in specs if isinstance(specs, list) else [specs]:
                    self.faults.add(make_fault(spec.pop("kind"), **spec))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                return _json({"error": str(exc)}, 400)
        return _json([f.to_json() for f in self.faults.active()])

    def _requests(self, request: Request) -> Response:
        log = self.logs.get(request.arg("server", "site"))
        if log is None:
            return _json({"error": "server must be site or hoster"}, 400)
        if request.method == "DELETE":
            log.clear()
        records = log.snapshot()
        return _json(
            {
                "max_concurrency": max_concurrency(records),
                "requests": [r.to_json() for r in records],
            }
        )

    def _release(self, request: Request) -> Response:
        """``{"slug", "season", "titles"?, "languages"?, "site"?}`` -> the new episode.

        With ``"episode": N`` the existing episode N gets the ``languages`` (a late dub).
        """
        try:
            spec = json.loads(request.body or b"{}")
            if "episode" in spec:
                episode = publish_languages(
                    self.catalog, spec["slug"], spec["season"], spec["episode"],
                    spec["languages"], site=spec.get("site", "aniworld"))
                return _episode_json(episode)
            episode = release_episode(
                self.catalog,
                spec["slug"],
                spec["season"],
                titles=spec.get("titles") or (),
                languages=spec.get("languages"),
                site=spec.get("site", "aniworld"),
            )
        except (ReleaseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            return _json({"error": str(exc)}, 400)
        return _episode_json(episode)


def _episode_json(episode: Episode) -> Response:
    return _json(
        {
            "season": episode.season,
            "number": episode.number,
            "episode_id": episode.episode_id,
            "languages": episode.languages,
            "links": [
                {"link_id": link.link_id, "hoster": link.hoster, "language": link.language}
                for link in episode.links
            ],
        }
    )
