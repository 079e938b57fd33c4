"""A stand-in for ``socket.getaddrinfo`` that answers chosen names with scripted addresses."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable
from typing import Any


class FakeDns:
    """Answers scripted names one answer per lookup (DNS rebinding); others go to ``real``."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls: Counter[str] = Counter()
        self._answers: dict[str, list[str]] = {}
        self._then: dict[str, str | None] = {}

    def answer(self, name: str, *addresses: str, then: str | None = None) -> None:
        """Answer ``name`` with each answer in turn, then with ``then`` (None: no such name).

        An answer is one address or several separated by commas.
        """
        self._answers[name] = list(addresses)
        self._then[name] = then

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        """The ``socket.getaddrinfo`` signature."""
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self._answers:
            return self.real(host, port, *args, **kwargs)
        self.calls[name] += 1
        queue = self._answers[name]
        answer = queue.pop(0) if queue else self._then[name]
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [_info(address, int(port or 0)) for address in answer.split(",")]


def _info(address: str, port: int) -> tuple[Any, ...]:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
