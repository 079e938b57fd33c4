"""The words of each notification, and the URL list they go to."""

from __future__ import annotations

import pytest

from aniworld.notifications import Episode, messages
from aniworld.phrases import Phrase
from aniworld.services.integration_settings import split_notify_urls

EPISODE = Episode("Kämpfer des Lichts", "S01E05", "German Dub")


def test_completed_names_series_episode_language_size_and_file() -> None:
    message = messages.completed(EPISODE, 1_572_864_000, "/lib/Kämpfer/S01E05.mkv")
    assert (message.event, message.kind) == ("completed", "success")
    assert message.title == "Downloaded: Kämpfer des Lichts S01E05"
    assert message.body.splitlines() == [
        "Series: Kämpfer des Lichts", "Episode: S01E05", "Language: German Dub",
        "Size: 1.5 GiB", "File: /lib/Kämpfer/S01E05.mkv"]


def test_an_upgrade_says_so_and_an_unknown_size_is_written_out() -> None:
    message = messages.completed(EPISODE, None, "/lib/a.mkv", upgrade=True)
    assert message.title.startswith("Upgraded: ")
    assert "Size: unknown" in message.body


def test_failed_carries_the_reason() -> None:
    message = messages.failed(Episode("Film Serie", "Film 2", "English Sub"),
                              "no hoster could deliver it")
    assert (message.event, message.kind) == ("failed", "failure")
    assert message.title == "Download failed: Film Serie Film 2"
    assert "Reason: no hoster could deliver it" in message.body
    assert "Episode: Film 2" in message.body and "Language: English Sub" in message.body


@pytest.mark.parametrize(("kind", "site", "title"), [
    ("captcha", "AniWorld", "Action needed: AniWorld shows a captcha"),
    ("site_challenge", "S.to", "Action needed: S.to asks for a browser check"),
    ("disk_reserve", None, "Action needed: the disk reserve is reached"),
])
def test_action_titles_say_what_stopped(kind: str, site: str | None, title: str) -> None:
    message = messages.action(kind, "Import your browser's cookies", site)
    assert (message.title, message.body, message.kind) == (
        title, "Import your browser's cookies", "warning")


def test_one_monitoring_message_lists_each_series_with_its_count() -> None:
    message = messages.monitor_queued(5, {"Zeta": 1, "alpha": 4})
    assert message.title == "Monitoring queued 5 new episode(s)"
    assert message.body.splitlines() == ["alpha: 4", "Zeta: 1"]


def test_long_lists_are_cut_with_a_count_of_the_rest() -> None:
    folders = [f"Folder {n:02d}" for n in range(25)]
    message = messages.unmatched(folders)
    lines = message.body.splitlines()
    assert message.title == "Library scan: 25 folder(s) need your choice"
    assert lines[:2] == ["Folder 00", "Folder 01"] and "… and 5 more" in lines
    assert "Folder 24" not in message.body and "Library page" in lines[-1]


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**2, "5.0 MiB"),
    (3 * 1024**4, "3072.0 GiB"),
])
def test_human_size(size: int, text: str) -> None:
    assert messages.human_size(size) == text


@pytest.mark.parametrize(("text", "urls"), [
    ("ntfy://ntfy.sh/my-topic", ("ntfy://ntfy.sh/my-topic",)),
    (" json://a/1,  discord://b/c\ntgram://t/1 ", ("json://a/1", "discord://b/c", "tgram://t/1")),
    ("json://a/1 json://a/1,json://b", ("json://a/1", "json://b")),
    ("  ,\n ", ()),
])
def test_urls_split_on_spaces_commas_and_lines_each_once(text: str,
                                                         urls: tuple[str, ...]) -> None:
    assert split_notify_urls(text) == urls


def test_german_messages_are_worded_in_german_with_german_sizes() -> None:
    message = messages.completed(EPISODE, 1_572_864_000, "/lib/Kämpfer/S01E05.mkv", locale="de")
    assert message.title == "Heruntergeladen: Kämpfer des Lichts S01E05"
    assert message.body.splitlines() == [
        "Serie: Kämpfer des Lichts", "Folge: S01E05", "Sprache: Deutsch (Synchro)",
        "Größe: 1,5 GiB", "Datei: /lib/Kämpfer/S01E05.mkv"]
    failed = messages.failed(EPISODE, Phrase("Unknown hoster %(name)s", name="X"), locale="de")
    assert failed.title == "Download fehlgeschlagen: Kämpfer des Lichts S01E05"
    assert failed.body.splitlines()[-1].startswith("Versuche es auf der Seite Warteschlange")
    assert messages.human_size(None, "de") == "unbekannt"


def test_a_german_action_renders_the_nested_hold_phrase() -> None:
    hold = Phrase("%(site)s: %(hold)s", site="AniWorld", hold=Phrase("the token was refused"))
    message = messages.action("captcha", hold, "AniWorld", locale="de")
    assert (message.title, message.body) == ("Eingreifen nötig: AniWorld zeigt ein Captcha",
                                              "AniWorld: der Token wurde abgelehnt")
    assert messages.action("captcha", hold, None).title == "Action needed: the site shows a captcha"
