"""The streams' Kafka security under Faust: the same settings as confluent-kafka's, mapped to aiokafka."""

from __future__ import annotations

import ssl

from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from protocolo.settings import KafkaSettings, Settings
from streams.app import _credentials
from tests.fixtures.tls import Certificado


def _aiokafka(kafka: KafkaSettings) -> dict[str, object]:
    """The keyword arguments Faust hands aiokafka's consumers and producers."""
    return dict(credentials_to_aiokafka_auth(_credentials(Settings(kafka=kafka))))


def test_plaintext_has_no_credentials() -> None:
    assert _aiokafka(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_gives_aiokafka_scram_over_a_verifying_tls_context(certificado: Certificado) -> None:
    auth = _aiokafka(
        KafkaSettings(
            security_protocol="SASL_SSL",
            sasl_username="protocolo",
            sasl_password="senha-do-broker",
            ssl_ca_location=certificado.cert,
            ssl_certificate_location=certificado.cert,
            ssl_key_location=certificado.key,
        )
    )
    contexto = auth.pop("ssl_context")
    assert auth == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "protocolo",
        "sasl_plain_password": "senha-do-broker",
    }
    assert isinstance(contexto, ssl.SSLContext)
    assert contexto.verify_mode == ssl.CERT_REQUIRED and contexto.check_hostname
    assert len(contexto.get_ca_certs()) == 1


def test_sasl_plaintext_sends_no_tls_context() -> None:
    auth = _aiokafka(
        KafkaSettings(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-256",
            sasl_username="u",
            sasl_password="p",
        )
    )
    assert auth["security_protocol"] == "SASL_PLAINTEXT" and auth["ssl_context"] is None
    assert auth["sasl_mechanism"] == "SCRAM-SHA-256"


def test_ssl_alone_gives_aiokafka_the_tls_context(certificado: Certificado) -> None:
    auth = _aiokafka(KafkaSettings(security_protocol="SSL", ssl_ca_location=certificado.cert))
    assert auth["security_protocol"] == "SSL"
    assert isinstance(auth["ssl_context"], ssl.SSLContext)
