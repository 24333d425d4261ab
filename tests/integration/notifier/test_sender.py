"""The notifier's SMTP sender against a real relay (aiosmtpd, in this process) demanding TLS and a password.

The certificate is self-signed and made in the test; the sender trusts it only through
PROTOCOLO_SMTP_CA_FILE, with the same verification (certificate chain and host name) as in production.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from notifier.sender import SmtpSender
from protocolo.settings import SmtpSettings
from tests.fixtures.relay_tls import RelayTls
from tests.fixtures.tls import Certificado


def _mensagem(assunto: str) -> EmailMessage:
    mensagem = EmailMessage()
    mensagem["From"] = "Protocolo <nao-responda@protocolo.localhost>"
    mensagem["To"] = "cidada@example.org"
    mensagem["Subject"] = assunto
    mensagem.set_content("Seu processo andou.")
    return mensagem


def _enviar(settings: SmtpSettings, mensagem: EmailMessage) -> None:
    sender = SmtpSender(settings)
    try:
        sender.enviar(mensagem)
    finally:
        sender.fechar()


def test_starttls_and_login_deliver_the_message(
    relay_tls_factory: Callable[..., RelayTls], certificado: Certificado
) -> None:
    relay = relay_tls_factory()
    settings = SmtpSettings(
        port=relay.porta,
        starttls=True,
        ca_file=certificado.cert,
        username=relay.usuario,
        password=relay.senha,
    )
    _enviar(settings, _mensagem("starttls"))
    assert [m["Subject"] for m in relay.mensagens] == ["starttls"]
    assert relay.logins == [(relay.usuario, True)]
    assert relay.sessoes_tls == 1  # the login happened inside TLS


def test_implicit_tls_and_login_deliver_the_message(
    relay_tls_factory: Callable[..., RelayTls], certificado: Certificado
) -> None:
    relay = relay_tls_factory(modo="implicito")
    settings = SmtpSettings(
        port=relay.porta,
        implicit_tls=True,
        ca_file=certificado.cert,
        username=relay.usuario,
        password=relay.senha,
    )
    _enviar(settings, _mensagem("implicito"))
    assert [m["Subject"] for m in relay.mensagens] == ["implicito"]
    assert relay.sessoes_tls == 1


def test_a_certificate_from_another_ca_is_refused_before_the_password_is_sent(
    relay_tls_factory: Callable[..., RelayTls], outro_certificado: Certificado
) -> None:
    relay = relay_tls_factory()
    settings = SmtpSettings(
        port=relay.porta,
        starttls=True,
        ca_file=outro_certificado.cert,
        username="protocolo",
        password=relay.senha,
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        _enviar(settings, _mensagem("nao chega"))
    assert relay.logins == [] and relay.mensagens == []


def test_a_relay_without_starttls_is_refused_instead_of_sending_in_clear(
    relay_tls_factory: Callable[..., RelayTls], certificado: Certificado
) -> None:
    relay = relay_tls_factory(modo="claro")
    settings = SmtpSettings(
        port=relay.porta, starttls=True, ca_file=certificado.cert, username="protocolo", password=relay.senha
    )
    with pytest.raises(smtplib.SMTPNotSupportedError):
        _enviar(settings, _mensagem("nao chega"))
    assert relay.logins == [] and relay.mensagens == []


def test_a_wrong_password_is_refused_by_the_relay(
    relay_tls_factory: Callable[..., RelayTls], certificado: Certificado
) -> None:
    relay = relay_tls_factory()
    settings = SmtpSettings(
        port=relay.porta, starttls=True, ca_file=certificado.cert, username=relay.usuario, password="errada"
    )
    with pytest.raises(smtplib.SMTPAuthenticationError):
        _enviar(settings, _mensagem("nao chega"))
    # smtplib tries each mechanism the relay offers (PLAIN, LOGIN): every attempt was refused.
    assert relay.logins and all(not aceito for _usuario, aceito in relay.logins)
    assert relay.mensagens == []
