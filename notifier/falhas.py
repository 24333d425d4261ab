"""SMTP failures sorted into temporary (retry later) and permanent (the address refuses). Pure.

Permanent means the relay refused this recipient or this message for good (a 5xx reply to RCPT
or DATA): counted against the subscription. Everything else is temporary and retried with backoff:
4xx replies, refused or dropped connections, timeouts, and also 5xx replies about our own
session (sender refused, authentication), which are our problem, never the subscriber's.
"""

from __future__ import annotations

__all__ = ["Ritmo", "eh_permanente", "proxima_espera"]

import smtplib
import threading
import time
from collections.abc import Callable


def eh_permanente(exc: BaseException) -> bool:
    """The relay refused the recipient or the message for good."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codigos = [codigo for codigo, _ in exc.recipients.values()]
        return bool(codigos) and all(500 <= codigo < 600 for codigo in codigos)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def proxima_espera(tentativa: int, *, inicial_s: float, maxima_s: float) -> float:
    """Exponential backoff: inicial, 2×, 4×, ... capped at `maxima_s` (tentativa counts from 1)."""
    return float(min(maxima_s, inicial_s * 2 ** max(0, tentativa - 1)))


class Ritmo:
    """At most `por_s` e-mails per second over all sending threads (bursts of at most `rajada`)."""

    def __init__(
        self,
        por_s: float,
        *,
        rajada: int = 1,
        relogio: Callable[[], float] = time.monotonic,
        dormir: Callable[[float], None] = time.sleep,
    ) -> None:
        self.intervalo = 1.0 / por_s
        self.rajada = rajada
        self._relogio = relogio
        self._dormir = dormir
        self._proximo = relogio()
        self._trava = threading.Lock()

    def aguardar(self) -> None:
        """Block until this caller may send one message."""
        with self._trava:
            agora = self._relogio()
            # Unused slots accumulate up to `rajada`, no more.
            inicio = max(self._proximo, agora - self.intervalo * (self.rajada - 1))
            self._proximo = inicio + self.intervalo
            espera = inicio - agora
        if espera > 0:
            self._dormir(espera)
