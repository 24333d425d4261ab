"""notifier.falhas: which SMTP failures are permanent, the retry backoff and the sending rate."""

from __future__ import annotations

import smtplib

import pytest

from notifier.falhas import Ritmo, eh_permanente, proxima_espera


@pytest.mark.parametrize(
    ("exc", "permanente"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"mailbox busy")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPSenderRefused(550, b"sender", "a@b.org"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
    ],
    ids=["rcpt 5xx", "rcpt 4xx", "data 5xx", "data 4xx", "our sender", "disconnected", "refused", "timeout"],
)
def test_only_5xx_about_the_recipient_or_message_is_permanent(exc: BaseException, permanente: bool) -> None:
    assert eh_permanente(exc) is permanente


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [proxima_espera(n, inicial_s=0.5, maxima_s=3) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


def test_the_rate_spaces_messages_after_the_allowed_burst() -> None:
    agora = [0.0]
    dormidas: list[float] = []

    def dormir(s: float) -> None:
        dormidas.append(s)
        agora[0] += s

    ritmo = Ritmo(10, rajada=2, relogio=lambda: agora[0], dormir=dormir)
    agora[0] = 5.0  # idle for a while: at most `rajada` messages go at once
    for _ in range(5):
        ritmo.aguardar()

    assert dormidas == pytest.approx([0.1, 0.1, 0.1])
    assert agora[0] == pytest.approx(5.3)
