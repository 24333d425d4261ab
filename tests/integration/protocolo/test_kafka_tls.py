"""The confluent-kafka clients of protocolo.kafka, built from `SSL` and `SASL_SSL` settings, on real brokers
reached only over TLS (tests/fixtures/kafka_tls.py)."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, KafkaException
from pydantic import SecretStr

from protocolo.kafka import make_consumer, make_producer
from tests.fixtures.espera import eventually
from tests.fixtures.kafka_tls import KafkaTls, recusas_de_login
from tests.fixtures.tls import Certificado


def test_producer_and_consumer_round_trip_an_event_over_tls(kafka_tls: KafkaTls) -> None:
    settings = kafka_tls.settings()
    topico = f"tls-{uuid.uuid4().hex[:8]}"
    sessoes_antes = kafka_tls.proxy.handshakes

    produtor = make_producer(settings)
    produtor.produce(topico, key=b"nup", value=b"evento sobre TLS")
    assert produtor.flush(15) == 0

    consumidor = make_consumer(settings, f"g-{topico}")
    consumidor.subscribe([topico])
    try:
        mensagem = eventually(lambda: consumidor.poll(0.5), timeout=30, what="the event back over TLS")
    finally:
        consumidor.close()
    assert mensagem.error() is None
    assert (mensagem.key(), mensagem.value()) == (b"nup", b"evento sobre TLS")
    assert kafka_tls.proxy.handshakes > sessoes_antes  # every byte went through TLS sessions


def test_a_broker_certificate_from_an_untrusted_ca_is_refused_with_a_clear_error(
    kafka_tls: KafkaTls, outro_certificado: Certificado
) -> None:
    settings = kafka_tls.settings(ssl_ca_location=outro_certificado.cert)
    erros: list[KafkaError] = []
    produtor = make_producer(settings, error_cb=erros.append)
    sessoes_antes = kafka_tls.proxy.handshakes

    with pytest.raises(KafkaException):
        produtor.list_topics(timeout=5)
    produtor.poll(0)  # delivers the error callbacks

    mensagens = " ".join(erro.str() for erro in erros)
    assert "certificate verify failed" in mensagens, mensagens
    assert "ssl.ca.location" in mensagens  # librdkafka names the setting to look at
    assert kafka_tls.proxy.handshakes == sessoes_antes  # refused at the handshake: no session at all


def test_a_plaintext_client_gets_nothing_from_the_tls_listener(kafka_tls: KafkaTls) -> None:
    settings = kafka_tls.settings(security_protocol="PLAINTEXT", ssl_ca_location=None)
    produtor = make_producer(settings, error_cb=lambda _erro: None)
    with pytest.raises(KafkaException):
        produtor.list_topics(timeout=3)


def test_sasl_ssl_settings_log_in_with_scram_sha_512_inside_tls_and_a_refusal_is_an_authentication_error(
    kafka_sasl_ssl: KafkaTls,
) -> None:
    """Up to the broker's verdict only: no SCRAM user can exist on the local broker (see kafka_tls.py)."""
    settings = kafka_sasl_ssl.settings(
        security_protocol="SASL_SSL", sasl_username="protocolo", sasl_password=SecretStr("senha-errada")
    )
    assert settings.sasl_mechanism == "SCRAM-SHA-512"  # the default, as in production
    sessoes_antes = kafka_sasl_ssl.proxy.handshakes

    recusas = recusas_de_login(settings, timeout_s=5)

    assert recusas, "no authentication error: the login never reached the broker's SCRAM exchange"
    assert "SASL SCRAM authentication failed" in recusas[0].str()
    assert kafka_sasl_ssl.proxy.handshakes > sessoes_antes  # the SCRAM exchange ran inside TLS sessions
