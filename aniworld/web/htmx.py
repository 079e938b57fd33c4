"""The one place that decides between a full page and an htmx partial."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

POLL_STOP = 286  # htmx swaps this answer, then cancels the element's polling.


def is_htmx() -> bool:
    """True for htmx requests that want a fragment (not boosted navigation or history restore)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page: str, partial: str, status: int = 200, **context: Any) -> Response:
    """Render ``partial`` for htmx and ``page`` otherwise; the answer varies on HX-Request."""
    template = partial if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def with_trigger(response: Response, *events: str) -> Response:
    """Ask htmx on the page to fire ``events`` (e.g. ``queueChanged``) after this answer."""
    existing = response.headers.get("HX-Trigger")
    names = [*(existing.split(", ") if existing else []), *events]
    response.headers["HX-Trigger"] = ", ".join(dict.fromkeys(names))
    return response


def navigate(url: str) -> BaseResponse:
    """Send the browser to ``url``: ``HX-Redirect`` for htmx, a 303 otherwise."""
    if is_htmx():
        return Response("", headers={"HX-Redirect": url})
    return redirect(url, 303)
