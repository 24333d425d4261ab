"""Sends the deliverer's few e-mails through the SMTP relay (one connection per message)."""

from __future__ import annotations

__all__ = ["enviar_email"]

import smtplib
import ssl
from email.message import EmailMessage

from protocolo.settings import SmtpSettings


def enviar_email(settings: SmtpSettings, mensagem: EmailMessage) -> None:
    """Send one message; smtplib/OS errors propagate."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username and settings.password:
            smtp.login(settings.username, settings.password.get_secret_value())
        smtp.send_message(mensagem)
