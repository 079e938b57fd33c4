"""Bad input gets a 4xx, never a 500: huge ids, deep JSON, lone surrogates, fuzzed bodies."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from aniworld.extensions import db
from aniworld.models import LibraryFolder
from aniworld.web.ids import MAX_ID
from tests.fakesite.server import FakeSite
from tests.harness import fakesite_env
from tests.web.conftest import AuthActions, add_series, build_app

API_KEY = "test-api-key-0123456789abcdef"
HUGE = "99999999999999999999"
FIELDS = ["series_key", "season", "episode", "language", "priority", "language_fallback",
          "force", "episodes", "before", "after", "key", "monitored", "series", "state", "q"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def api(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[tuple[Flask, FlaskClient]]:
    """An instance with an API key, a series, a queued episode and an unmatched folder."""
    app = build_app({**app_env, **fakesite_env(fakesite.url, fakesite.sto_url),
                     "ANIWORLD_API_KEY": API_KEY})
    app.test_cli_runner().invoke(args=["init"])
    add_series(app)
    with app.app_context():
        db.session.add(LibraryFolder(name="Some Folder"))
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = API_KEY
    client.post("/api/v1/queue", json={"series_key": "demo-series", "season": 1, "episode": 1})
    yield app, client
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", [
    f"/api/v1/queue/{HUGE}", f"/api/v1/queue/{HUGE}/retry", f"/api/v1/queue/{MAX_ID + 1}/pause",
    f"/api/v1/library/folders/{HUGE}/ignore", f"/api/v1/library/folders/{2**63}/resolve",
])
def test_api_ids_beyond_the_integer_range_are_404(api: tuple[Flask, FlaskClient],
                                                  path: str) -> None:
    _app, client = api
    method = "DELETE" if path.count("/") == 4 else "POST"
    response = client.open(path, method=method, json={"key": "demo-series", "priority": "high"})
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", [
    f"/queue/{HUGE}/retry", f"/queue/{HUGE}", f"/library/unmatched/{HUGE}/ignore",
    f"/settings/api-keys/{HUGE}",
])
def test_page_ids_beyond_the_integer_range_are_404(logged_in: AuthActions, client: FlaskClient,
                                                   path: str) -> None:
    response = client.post(path, data={"csrf_token": logged_in.csrf_token()})
    assert response.status_code == 404


def test_queue_form_ids_beyond_the_integer_range_are_refused(api: tuple[Flask, FlaskClient]
                                                            ) -> None:
    _app, client = api
    item = client.get("/api/v1/queue").get_json()["pending"][0]["id"]
    response = client.post(f"/api/v1/queue/{item}/move", json={"before": MAX_ID + 1})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "before"


def test_deeply_nested_json_is_400(api: tuple[Flask, FlaskClient]) -> None:
    _app, client = api
    response = client.post("/api/v1/queue", data="[" * 100_000,
                           content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/queue", '{"series_key": "\\ud800", "season": 1, "episode": 1}', "series_key"),
    ("/api/v1/series", '{"key": "demo\\udfff"}', "key"),
    ("/api/v1/library/missing/download", '{"series": ["a", {"x": "\\ud800"}]}', "series"),
])
def test_lone_surrogates_are_422_naming_the_field(api: tuple[Flask, FlaskClient], path: str,
                                                  body: str, field: str) -> None:
    _app, client = api
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["field"] == field


def _api_routes(app: Flask) -> list[tuple[Rule, str]]:
    return sorted(((rule, method) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/")
                   for method in METHODS if method in (rule.methods or ())),
                  key=lambda pair: (pair[0].rule, pair[1]))


_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(
    ["demo-series", "high", "low", "german-dub", "unmatched", "\ud800", "\udfff x", ""]))
_SCALARS = st.one_of(st.none(), st.booleans(), _TEXT, st.floats(allow_nan=False),
                     st.integers(min_value=-2**70, max_value=2**70), st.integers(0, 3))
_JSON = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS) | _TEXT, inner,
                                                 max_size=3)), max_leaves=8)
_BODIES = st.one_of(st.dictionaries(st.sampled_from(FIELDS), _JSON, max_size=4), _JSON)
_IDS = st.one_of(st.integers(0, 3), st.integers(MAX_ID - 1, 2**70)).map(str)
_SEGMENT = st.one_of(st.sampled_from(["demo-series", "no-such-series"]),
                     st.text(string.ascii_letters + string.digits + "-_.~", min_size=1,
                             max_size=12))
_QUERY = st.dictionaries(st.sampled_from(["q", "series", "state"]), st.text(max_size=12),
                         max_size=2)


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
    return template


def _never_5xx(client: FlaskClient, rule: Rule, method: str) -> None:
    """Send ``method`` to ``rule`` with generated ids, keys, query values and JSON bodies."""

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        values = {name: data.draw(_IDS if name.endswith("_id") else _SEGMENT)
                  for name in rule.arguments}
        path = _fill(rule.rule, values)
        body: Any = data.draw(_BODIES)
        response = client.open(path, method=method, query_string=data.draw(_QUERY),
                               data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (method, path, body, response.get_data(as_text=True))

    check()


def test_no_json_endpoint_answers_5xx_to_generated_input(api: tuple[Flask, FlaskClient]
                                                         ) -> None:
    app, client = api
    routes = _api_routes(app)
    assert len(routes) > 20, routes
    for rule, method in routes:
        _never_5xx(client, rule, method)
