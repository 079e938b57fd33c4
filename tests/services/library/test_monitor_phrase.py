"""The monitoring round's sentence: English unchanged, German from the same phrase."""

from __future__ import annotations

from aniworld.phrases import Phrase, render, worded
from aniworld.services.library.monitor_summary import MonitorSummary, SiteRound
from aniworld.services.library.monitoring import MonitorStatus


def test_a_troubled_round_reads_the_same_in_english_and_is_german_for_de() -> None:
    refusal = Phrase("the site refused our requests")
    summary = MonitorSummary((SiteRound("sto", monitored=2, checked=1, failed=1, requests=3,
                                        stopped=refusal),), 1.25)
    english = ("Checked 1 of 2 monitored series with 3 request(s) in 1.2 s: 0 new episode(s), "
               "0 queued. 1 series could not be read; see the worker log. Stopped early: "
               "S.to: the site refused our requests")
    assert summary.message == english
    assert render(summary.phrase, "de") == (
        "1 von 2 überwachten Serien mit 3 Anfrage(n) in 1,2 s geprüft: 0 neue Folge(n), 0 "
        "eingereiht. 1 Serie(n) konnten nicht gelesen werden; siehe das Worker-Log. "
        "Vorzeitig beendet: S.to: die Seite hat unsere Anfragen abgelehnt")
    assert summary.as_dict()["sites"]["sto"]["stopped"] == "the site refused our requests"
    status = MonitorStatus(**worded(summary.phrase))
    assert status.message == english and status.sentence == summary.phrase
    assert "message_phrase" not in status.as_dict()
