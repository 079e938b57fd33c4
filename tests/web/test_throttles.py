"""Throttles hold against parallel requests; wrong API keys are throttled and logged."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from aniworld.services import credentials
from aniworld.web.security import API_KEY_FAILURE_LIMIT
from tests.web.conftest import AuthActions


def test_thirty_parallel_wrong_passwords_check_at_most_five(
        app: Flask, auth: AuthActions, monkeypatch: pytest.MonkeyPatch) -> None:
    auth.set_password()
    verified: list[str] = []
    real_verify = credentials.verify_password

    def counting_verify(session: object, password: str) -> bool:
        verified.append(password)
        return real_verify(session, password)  # type: ignore[arg-type]

    monkeypatch.setattr(credentials, "verify_password", counting_verify)
    guessers = [AuthActions(app, app.test_client()) for _ in range(30)]
    tokens = [guesser.csrf_token() for guesser in guessers]
    start = threading.Barrier(len(guessers))
    statuses: list[int] = []

    def guess(guesser: AuthActions, token: str) -> None:
        start.wait(timeout=60)
        response = guesser.client.post("/login", data={"password": "wrong guess",
                                                       "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(guessers, tokens,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 30
    assert len(verified) <= 5
    assert statuses.count(429) >= 25


def test_wrong_api_keys_are_throttled_and_logged(app: Flask, auth: AuthActions,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    auth.set_password()
    client = app.test_client()
    for number in range(API_KEY_FAILURE_LIMIT):
        response = client.get("/api/v1/queue", headers={"X-API-Key": f"aw_wrong{number}"})
        assert response.status_code == 401
    assert "api key rejected address=127.0.0.1" in caplog.text
    blocked = client.get("/api/v1/queue", headers={"X-API-Key": "aw_wrong-again"})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    other = client.get("/api/v1/queue", headers={"X-API-Key": "aw_x"},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401  # another address keeps its own count
