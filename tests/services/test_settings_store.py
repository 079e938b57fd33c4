"""JSON settings in the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aniworld.models import Setting
from aniworld.services.settings_store import get_setting, set_setting


def test_default_when_unset(session: Session) -> None:
    assert get_setting(session, "missing", {"a": 1}) == {"a": 1}


def test_round_trip_json_values(session: Session) -> None:
    set_setting(session, "limits", {"workers": 3, "hosters": ["voe", "vidoza"]})
    set_setting(session, "limits", {"workers": 4, "hosters": ["voe"]})
    session.commit()
    assert get_setting(session, "limits") == {"workers": 4, "hosters": ["voe"]}


def test_unchanged_value_does_not_touch_the_row(session: Session) -> None:
    set_setting(session, "flag", True)
    session.commit()
    stamp = session.get(Setting, "flag").updated_at
    set_setting(session, "flag", True)
    session.commit()
    assert session.get(Setting, "flag").updated_at == stamp
