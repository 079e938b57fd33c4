"""Apprise delivers to a real local JSON endpoint; failures name the URL without its secrets."""

from __future__ import annotations

import pytest

from aniworld.notifications import messages, sender
from tests.fakenotify import NotifyEndpoint, closed_port

TEST = messages.test()


def test_delivers_title_and_body_as_apprise_json(notify_endpoint: NotifyEndpoint) -> None:
    delivery = sender.send([notify_endpoint.url("/hook")], TEST, timeout=5)
    assert delivery.ok and not delivery.error
    assert delivery.delivered == {sender.fingerprint(notify_endpoint.url("/hook"))}
    [received] = notify_endpoint.received
    assert received.path == "/hook"
    assert received.title == TEST.title and received.message == TEST.body
    assert received.body["type"] == "info"


def test_http_error_is_reported_with_the_url_named_without_its_path(
        notify_endpoint: NotifyEndpoint) -> None:
    notify_endpoint.fail(1, status=500)
    url = notify_endpoint.url("/secret-token-path")
    delivery = sender.send([url], TEST, timeout=5)
    assert not delivery.ok and delivery.retryable
    assert delivery.error == (
        f"JSON json://127.0.0.1:{notify_endpoint.port} (URL 1): Failed to send JSON POST "
        "notification: Internal server error., error=500.")
    assert "secret-token-path" not in delivery.error


def test_refused_connection_is_reported() -> None:
    port = closed_port()
    delivery = sender.send([f"json://127.0.0.1:{port}/x"], TEST, timeout=5)
    # Apprise's own text is redacted like the URL: the host is named by the target only.
    assert delivery.error == (f"JSON json://127.0.0.1:{port} (URL 1): A Connection error "
                              "occurred sending JSON notification to ….")


def test_apprises_warning_never_carries_a_part_of_the_url() -> None:
    # Many services keep a token where the host goes (Telegram's bot token): here the
    # host name stands for it, and Apprise's warning names it.
    url = f"json://tok-Secret123:pw-Secret456@localhost:{closed_port()}/path-Secret789"
    [failure] = sender.send([url], TEST, timeout=5).failures
    assert failure.reason == "A Connection error occurred sending JSON notification to …."
    assert all(secret not in str(failure)
               for secret in ("tok-Secret123", "pw-Secret456", "path-Secret789"))


def test_a_url_apprise_cannot_use_fails_for_good_without_echoing_it(
        notify_endpoint: NotifyEndpoint) -> None:
    bad = "discord://sekrit-webhook-id"
    delivery = sender.send([bad, notify_endpoint.url()], TEST, timeout=5)
    assert not delivery.retryable  # sending again cannot fix a wrong URL
    assert len(notify_endpoint.received) == 1  # the good URL still got it
    assert delivery.error.startswith("URL 1 (discord://…): Apprise cannot use this URL (")
    assert "sekrit" not in delivery.error


def test_urls_that_took_the_message_are_skipped_on_a_retry(
        notify_endpoint: NotifyEndpoint) -> None:
    first, second = notify_endpoint.url("/a"), notify_endpoint.url("/b")
    delivery = sender.send([first, second], TEST, timeout=5,
                           skip={sender.fingerprint(first)})
    assert delivery.skipped == 1
    assert [r.path for r in notify_endpoint.received] == ["/b"]


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("Unparseable URL foo://host/tok", "foo://host/tok", "Unparseable URL foo://…"),
    ("Could not load Discord URL: discord://123/abcdef", "discord://123/abcdef",
     "Could not load Discord URL: discord://…"),
    ("An invalid Discord Webhook Token (abcdef) was specified.", "discord://123/abcdef",
     "An invalid Discord Webhook Token (…) was specified."),
])
def test_redact_cuts_every_part_of_the_url(text: str, url: str, expected: str) -> None:
    assert sender.redact(text, url) == expected


def test_public_url_keeps_scheme_and_host_only() -> None:
    assert sender.public_url("json://user:****@host.example:8080/secret/path?x=1") == \
        "json://host.example:8080"
    assert sender.public_url("discord://1...8/a...j/?tts=no") == "discord://1...8"
