"""The master password, the session epoch, the first-run set-up token and API keys.

Every login opens a *session record* (a ``auth.session.<id>`` setting row) whose id the session
cookie and the remember-me cookie carry; a cookie counts only while its record exists.
Logging out deletes the record, so a copied cookie stops working too; changing the password
deletes every record (and rotates the session epoch).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from aniworld.config import MIN_PASSWORD_LENGTH
from aniworld.errors import NotFoundError, ValidationError
from aniworld.models import ApiKey, Setting, utcnow
from aniworld.phrases import Phrase
from aniworld.services.settings_store import get_setting, set_setting

logger = logging.getLogger(__name__)

PASSWORD_KEY = "auth.password_hash"
EPOCH_KEY = "auth.session_epoch"
SETUP_TOKEN_KEY = "auth.setup_token"
SESSION_KEY_PREFIX = "auth.session."
API_KEY_PREFIX = "aw_"
# Records of logins never logged out are dropped at a later login once their remember-me
# cookie (30 days, REMEMBER_COOKIE_DURATION) has expired: the table stays small.
SESSION_RECORD_DAYS = 31


def _forget(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def has_password(session: Session) -> bool:
    """Return whether the master password has been set."""
    return get_setting(session, PASSWORD_KEY) is not None


def set_password(session: Session, password: str) -> str:
    """Store a new master password hash, rotate the session epoch and return the new epoch.

    Raises ValidationError when the password is too short.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(Phrase("the password must be at least %(count)s characters long",
                                     count=MIN_PASSWORD_LENGTH), "password")
    set_setting(session, PASSWORD_KEY, generate_password_hash(password, method="scrypt"))
    epoch = secrets.token_urlsafe(16)
    set_setting(session, EPOCH_KEY, epoch)
    session.execute(delete(Setting).where(Setting.key.startswith(SESSION_KEY_PREFIX)))
    _forget(session, SETUP_TOKEN_KEY)
    logger.info("master password changed; all other sessions end")
    return epoch


def verify_password(session: Session, password: str) -> bool:
    """Return whether ``password`` matches the stored master password."""
    stored = get_setting(session, PASSWORD_KEY)
    return stored is not None and check_password_hash(stored, password)


def session_epoch(session: Session) -> str | None:
    """Return the current session epoch (None before the password is set)."""
    return get_setting(session, EPOCH_KEY)


def open_session(session: Session) -> str:
    """Record a new login and return its session id (what the cookies carry)."""
    cutoff = utcnow() - timedelta(days=SESSION_RECORD_DAYS)
    session.execute(delete(Setting).where(Setting.key.startswith(SESSION_KEY_PREFIX),
                                          Setting.created_at < cutoff))
    session_id = secrets.token_urlsafe(16)
    set_setting(session, SESSION_KEY_PREFIX + session_id, session_epoch(session))
    return session_id


def session_is_open(session: Session, session_id: str) -> bool:
    """Return whether ``session_id`` names a login that has not ended."""
    if not session_id or len(SESSION_KEY_PREFIX + session_id) > 64:
        return False
    return session.get(Setting, SESSION_KEY_PREFIX + session_id) is not None


def close_session(session: Session, session_id: str) -> None:
    """End the login ``session_id``: its cookies, copied or not, stop working."""
    if session_is_open(session, session_id):
        _forget(session, SESSION_KEY_PREFIX + session_id)


def ensure_setup_token(session: Session) -> str | None:
    """Return the one-time set-up token, creating it if needed; None once a password exists."""
    if has_password(session):
        return None
    token = get_setting(session, SETUP_TOKEN_KEY)
    if token is None:
        token = secrets.token_urlsafe(12)
        set_setting(session, SETUP_TOKEN_KEY, token)
    return token


def verify_setup_token(session: Session, token: str) -> bool:
    """Return whether ``token`` is the current set-up token (constant-time comparison)."""
    stored = get_setting(session, SETUP_TOKEN_KEY)
    return stored is not None and hmac.compare_digest(stored.encode(), token.strip().encode())


def _digest(key: str) -> str:
    # API keys are 256-bit random tokens, so a fast hash is enough (no dictionary to guess).
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Create an API key named ``name``; return the row and the plain key (shown only once)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(Phrase("give the key a name of 1 to 100 characters"), "name")
    plain = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=plain[:10], digest=_digest(plain))
    session.add(row)
    return row, plain


def provision_api_key(session: Session, plain: str, name: str = "ANIWORLD_API_KEY") -> ApiKey:
    """Ensure ``plain`` is a valid API key (idempotent; used for ``ANIWORLD_API_KEY``)."""
    existing = session.scalar(select(ApiKey).where(ApiKey.digest == _digest(plain)))
    if existing is not None:
        return existing
    row = ApiKey(name=name, prefix=plain[:10], digest=_digest(plain))
    session.add(row)
    return row


def find_api_key(session: Session, plain: str) -> ApiKey | None:
    """Return the API key matching ``plain`` and stamp its last use, or None."""
    row = api_key_with_digest(session, _digest(plain))
    if row is not None:
        row.last_used_at = utcnow()
    return row


def list_api_keys(session: Session) -> list[ApiKey]:
    """Return every API key, oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def api_key_with_digest(session: Session, digest: str) -> ApiKey | None:
    """The API key whose digest is ``digest`` (what a bridge session names), or None."""
    return session.scalar(select(ApiKey).where(ApiKey.digest == digest))


def revoke_api_key(session: Session, key_id: int) -> str:
    """Delete an API key; return its digest (its bridge sessions end with it).

    Raises NotFoundError for an unknown id.
    """
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError(Phrase("API key %(id)s does not exist", id=key_id))
    session.delete(row)
    return row.digest
