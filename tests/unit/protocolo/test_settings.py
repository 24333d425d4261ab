"""Settings that can be refused: security (client keys, always refused, refused in production), streams."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from protocolo.configuracao import mensagens
from protocolo.producao import eh_placeholder, recusas_em_producao
from protocolo.settings import KafkaSettings, SearchSettings, Settings, SmtpSettings, StreamsSettings
from tests.fixtures.tls import Certificado

CHAVE = "k" * 16 + "9f3c2a71e5d84b60"  # 32 characters, not an example


def _recusas(criar: Any, **campos: Any) -> list[str]:
    with pytest.raises(ValidationError) as erro:
        criar(**campos)
    return mensagens(erro.value)


# --- Kafka: librdkafka keys (confluent-kafka) -------------------------------------------------------


def test_plaintext_sends_no_security_keys() -> None:
    assert KafkaSettings().client_config() == {
        "bootstrap.servers": "127.0.0.1:9092",
        "security.protocol": "PLAINTEXT",
    }


def test_sasl_ssl_maps_to_librdkafka_keys(certificado: Certificado) -> None:
    config = KafkaSettings(
        bootstrap_servers="kafka-1:9093,kafka-2:9093",
        security_protocol="SASL_SSL",
        sasl_username="protocolo",
        sasl_password="senha-do-broker",
        ssl_ca_location=certificado.cert,
        ssl_certificate_location=certificado.cert,
        ssl_key_location=certificado.key,
        ssl_key_password="senha-da-chave",
    ).client_config()
    assert config == {
        "bootstrap.servers": "kafka-1:9093,kafka-2:9093",
        "security.protocol": "SASL_SSL",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": "protocolo",
        "sasl.password": "senha-do-broker",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.ca.location": str(certificado.cert),
        "ssl.certificate.location": str(certificado.cert),
        "ssl.key.location": str(certificado.key),
        "ssl.key.password": "senha-da-chave",
    }


def test_the_librdkafka_keys_are_accepted_by_confluent_kafka(certificado: Certificado) -> None:
    from confluent_kafka import Producer

    kafka = KafkaSettings(
        bootstrap_servers="127.0.0.1:1",
        security_protocol="SASL_SSL",
        sasl_username="protocolo",
        sasl_password="senha-do-broker",
        ssl_ca_location=certificado.cert,
    )
    Producer(kafka.client_config())  # an unknown or misspelt key raises KafkaException here


def test_ssl_context_is_none_without_tls() -> None:
    assert KafkaSettings().ssl_context() is None
    assert (
        KafkaSettings(security_protocol="SASL_PLAINTEXT", sasl_username="u", sasl_password="p").ssl_context()
        is None
    )


def test_ssl_context_verifies_the_broker_against_the_ca_file(certificado: Certificado) -> None:
    contexto = KafkaSettings(security_protocol="SSL", ssl_ca_location=certificado.cert).ssl_context()
    assert contexto is not None
    assert contexto.verify_mode == ssl.CERT_REQUIRED and contexto.check_hostname
    assert contexto.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert [c["subject"] for c in contexto.get_ca_certs()] == [((("commonName", "127.0.0.1"),),)]


@pytest.mark.parametrize(
    ("campos", "variaveis"),
    [
        (
            {"security_protocol": "SASL_SSL"},
            ["PROTOCOLO_KAFKA_SASL_USERNAME", "PROTOCOLO_KAFKA_SASL_PASSWORD"],
        ),
        ({"security_protocol": "SASL_SSL", "sasl_username": "u"}, ["PROTOCOLO_KAFKA_SASL_PASSWORD"]),
        ({"sasl_username": "u", "sasl_password": "p"}, ["PROTOCOLO_KAFKA_SASL_USERNAME/"]),
        ({"ssl_ca_location": "CERT"}, ["PROTOCOLO_KAFKA_SSL_*"]),
        (
            {"security_protocol": "SSL", "ssl_certificate_location": "CERT"},
            ["PROTOCOLO_KAFKA_SSL_CERTIFICATE_LOCATION"],
        ),
        (
            {"security_protocol": "SSL", "ssl_ca_location": "/nao/existe.pem"},
            ["PROTOCOLO_KAFKA_SSL_CA_LOCATION"],
        ),
    ],
)
def test_incoherent_kafka_security_is_refused_naming_the_variables(
    campos: dict[str, Any], variaveis: list[str], certificado: Certificado
) -> None:
    campos = {k: certificado.cert if v == "CERT" else v for k, v in campos.items()}
    linhas = _recusas(KafkaSettings, **campos)
    assert len(linhas) == len(variaveis), linhas
    for variavel, linha in zip(variaveis, linhas, strict=True):
        assert linha.startswith(variavel), linhas


# --- Elasticsearch ------------------------------------------------------------------------------------


def test_search_over_https_verifies_against_the_ca_file_with_an_api_key(certificado: Certificado) -> None:
    from protocolo.search import client_options

    opcoes = client_options(
        SearchSettings(url="https://es:9200", api_key="chave-da-api", ca_certs=certificado.cert)
    )
    assert opcoes["verify_certs"] is True
    assert opcoes["ca_certs"] == str(certificado.cert)
    assert opcoes["api_key"] == "chave-da-api"
    assert "basic_auth" not in opcoes


def test_search_with_user_and_password_uses_basic_auth() -> None:
    from protocolo.search import client_options

    opcoes = client_options(SearchSettings(url="https://es:9200", username="protocolo", password="senha"))
    assert opcoes["basic_auth"] == ("protocolo", "senha")
    assert "api_key" not in opcoes


def test_the_search_options_build_a_client_that_verifies(certificado: Certificado) -> None:
    from protocolo.search import make_search

    cliente = make_search(
        SearchSettings(url="https://127.0.0.1:1", api_key="chave", ca_certs=certificado.cert)
    )
    no = cliente.transport.node_pool.get()
    assert no.config.verify_certs is True and no.config.ca_certs == str(certificado.cert)
    cliente.close()


@pytest.mark.parametrize(
    ("campos", "variavel"),
    [
        ({"username": "protocolo"}, "PROTOCOLO_SEARCH_USERNAME"),
        ({"password": "senha"}, "PROTOCOLO_SEARCH_USERNAME"),
        ({"api_key": "k", "username": "u", "password": "p"}, "PROTOCOLO_SEARCH_API_KEY"),
        ({"url": "https://elastic:senha@es:9200"}, "PROTOCOLO_SEARCH_URL"),
        ({"url": "http://es:9200", "ca_certs": "CERT"}, "PROTOCOLO_SEARCH_CA_CERTS"),
    ],
)
def test_incoherent_search_security_is_refused_naming_the_variable(
    campos: dict[str, Any], variavel: str, certificado: Certificado
) -> None:
    campos = {k: certificado.cert if v == "CERT" else v for k, v in campos.items()}
    linhas = _recusas(SearchSettings, **campos)
    assert len(linhas) == 1 and linhas[0].startswith(variavel), linhas
    assert "senha" not in linhas[0]  # the refusal never repeats a value


# --- SMTP ---------------------------------------------------------------------------------------------


def test_smtp_context_verifies_the_relay_against_the_ca_file(certificado: Certificado) -> None:
    contexto = SmtpSettings(starttls=True, ca_file=certificado.cert).ssl_context()
    assert contexto.verify_mode == ssl.CERT_REQUIRED and contexto.check_hostname
    assert len(contexto.get_ca_certs()) == 1


@pytest.mark.parametrize(
    ("campos", "variavel"),
    [
        ({"starttls": True, "implicit_tls": True}, "PROTOCOLO_SMTP_STARTTLS"),
        ({"username": "protocolo"}, "PROTOCOLO_SMTP_USERNAME"),
        ({"ca_file": "CERT"}, "PROTOCOLO_SMTP_CA_FILE"),
    ],
)
def test_incoherent_smtp_security_is_refused_naming_the_variable(
    campos: dict[str, Any], variavel: str, certificado: Certificado
) -> None:
    campos = {k: certificado.cert if v == "CERT" else v for k, v in campos.items()}
    linhas = _recusas(SmtpSettings, **campos)
    assert len(linhas) == 1 and linhas[0].startswith(variavel), linhas


# --- Production ---------------------------------------------------------------------------------------


def _producao(**campos: Any) -> Settings:
    return Settings.model_construct(environment="production", **({"secret_key": SecretStr(CHAVE)} | campos))


def _completas(certificado: Certificado) -> dict[str, Any]:
    """Production settings with every security feature on and real-looking secrets."""
    return {
        "environment": "production",
        "secret_key": CHAVE,
        "kafka": KafkaSettings(
            security_protocol="SASL_SSL",
            sasl_username="protocolo",
            sasl_password="b7Kq-broker-2a9",
            ssl_ca_location=certificado.cert,
        ),
        "search": SearchSettings(url="https://es:9200", api_key="Zm9vOmJhcg-es", ca_certs=certificado.cert),
        "smtp": SmtpSettings(starttls=True, username="protocolo", password="Rn4-relay-77x"),
    }


def test_production_starts_with_real_secrets_and_encrypted_connections(certificado: Certificado) -> None:
    assert Settings(**_completas(certificado)).environment == "production"


def test_development_keeps_the_example_secret() -> None:
    assert Settings().environment == "development"  # the local stack needs no secret at all


@pytest.mark.parametrize(
    ("trocar", "variavel"),
    [
        ({"secret_key": "troque-este-segredo-em-producao"}, "PROTOCOLO_SECRET_KEY: ausente"),
        ({"secret_key": "curta-mas-propria"}, "PROTOCOLO_SECRET_KEY: curta demais"),
        ({"kafka": {"sasl_password": "changeme"}}, "PROTOCOLO_KAFKA_SASL_PASSWORD: ausente"),
        ({"kafka": {"ssl_key_password": "troque-me"}}, "PROTOCOLO_KAFKA_SSL_KEY_PASSWORD: ausente"),
        (
            {
                "kafka": {
                    "security_protocol": "SASL_PLAINTEXT",
                    "sasl_mechanism": "PLAIN",
                    "ssl_ca_location": None,
                }
            },
            "PROTOCOLO_KAFKA_SASL_MECHANISM",
        ),
        ({"search": {"api_key": "<api key>"}}, "PROTOCOLO_SEARCH_API_KEY: ausente"),
        (
            {"search": {"api_key": None, "username": "elastic", "password": "senha"}},
            "PROTOCOLO_SEARCH_PASSWORD: ausente",
        ),
        ({"search": {"url": "http://es:9200", "ca_certs": None}}, "PROTOCOLO_SEARCH_URL"),
        ({"smtp": {"password": "TROQUE"}}, "PROTOCOLO_SMTP_PASSWORD: ausente"),
        ({"smtp": {"starttls": False}}, "PROTOCOLO_SMTP_STARTTLS"),
    ],
)
def test_production_refuses_example_secrets_and_credentials_in_clear(
    trocar: dict[str, Any], variavel: str, certificado: Certificado
) -> None:
    campos = _completas(certificado)
    for nome, valor in trocar.items():
        if isinstance(valor, dict):
            secao = campos[nome]
            campos[nome] = type(secao)(**(secao.model_dump() | valor))
        else:
            campos[nome] = valor
    linhas = _recusas(Settings, **campos)
    assert [linha for linha in linhas if linha.startswith(variavel)], linhas
    assert len(linhas) == 1, linhas  # only what is wrong is named


def test_production_names_every_refused_setting_at_once() -> None:
    settings = _producao(
        secret_key=SecretStr("troque"),
        smtp=SmtpSettings.model_construct(password=SecretStr("changeme"), starttls=False, implicit_tls=False),
        search=SearchSettings(),
        kafka=KafkaSettings(),
    )
    assert [linha.split(":")[0] for linha in recusas_em_producao(settings)] == [
        "PROTOCOLO_SECRET_KEY",
        "PROTOCOLO_SMTP_PASSWORD",
        "PROTOCOLO_SMTP_STARTTLS",
    ]


@pytest.mark.parametrize(
    ("valor", "exemplo"),
    [
        ("", True),
        ("   ", True),
        ("troque-este-segredo-em-producao", True),
        ("TROQUE-ME", True),
        ("changeme", True),
        ("change-me-please", True),
        ("<sua senha>", True),
        ("senha", True),
        ("9f3c2a71e5d84b60c1", False),
        ("minha-senha-forte-2026", False),
    ],
)
def test_example_secrets_are_recognised(valor: str, exemplo: bool) -> None:
    assert eh_placeholder(valor) is exemplo


def test_settings_errors_never_carry_the_secret_values(tmp_path: Path) -> None:
    linhas = _recusas(
        Settings,
        environment="production",
        secret_key="curtinha-secreta",
        smtp=SmtpSettings(password="x" * 3, username="u"),
    )
    assert all("curtinha-secreta" not in linha and "xxx" not in linha for linha in linhas), linhas


# --- Streams: static group membership ----------------------------------------------------------------


def test_streams_membership_is_dynamic_unless_an_instance_is_named() -> None:
    assert StreamsSettings().group_instance_id("maquina-1") is None


def test_streams_instance_id_fills_in_the_host_and_the_worker_name() -> None:
    config = StreamsSettings(instancia="{host}-{nome}", nome="streams-a")
    assert config.group_instance_id("maquina-1") == "maquina-1-streams-a"
    assert StreamsSettings(instancia="streams-0").group_instance_id("maquina-1") == "streams-0"


def test_streams_instance_with_an_unknown_placeholder_is_refused_naming_the_variable() -> None:
    (recusa,) = _recusas(StreamsSettings, instancia="{pod}")
    assert "PROTOCOLO_STREAMS_INSTANCIA" in recusa
    assert "{host}" in recusa
