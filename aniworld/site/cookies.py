"""Import browser cookies: a Netscape cookies.txt export or a "name=value; name2=value2" line."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportedCookie:
    """One cookie to send to the site."""

    name: str
    value: str


def parse_cookies(text: str, host: str) -> list[ImportedCookie]:
    """Parse cookies.txt or a "a=b; c=d" string; cookies.txt lines are kept only for ``host``."""
    text = text.strip()
    if not text:
        return []
    if _looks_netscape(text):
        return _parse_netscape(text, host)
    return _parse_header(text)


def _looks_netscape(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return text.startswith("# Netscape") or any(line.count("\t") >= 6 for line in lines)


def _parse_header(text: str) -> list[ImportedCookie]:
    cookies = []
    for part in text.removeprefix("Cookie:").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip():
            cookies.append(ImportedCookie(name.strip(), value.strip()))
    return cookies


def _parse_netscape(text: str, host: str) -> list[ImportedCookie]:
    cookies = []
    skipped = 0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#HttpOnly_"):
            line = line.removeprefix("#HttpOnly_")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 7:
            continue
        if _domain_matches(fields[0], host):
            cookies.append(ImportedCookie(fields[5], fields[6]))
        else:
            # A whole-browser export holds cookies of other sites; never send those.
            skipped += 1
    if skipped and not cookies:
        logger.warning("cookie import matched nothing host=%s skipped=%s", host, skipped)
    return cookies


def _domain_matches(domain: str, host: str) -> bool:
    domain = domain.lstrip(".").lower()
    host = host.lower()
    return host == domain or host.endswith("." + domain)
