"""Sends e-mails through an SMTP relay (STARTTLS and auth from settings)."""

from __future__ import annotations

__all__ = ["SmtpSender"]

import smtplib
import ssl
from email.message import EmailMessage

from protocolo.settings import SmtpSettings


class SmtpSender:
    """One SMTP connection per batch of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def enviar(self, mensagens: list[EmailMessage]) -> None:
        """Send every message; smtplib errors propagate so the caller does not commit."""
        if not mensagens:
            return
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username and s.password:
                smtp.login(s.username, s.password.get_secret_value())
            for mensagem in mensagens:
                smtp.send_message(mensagem)
