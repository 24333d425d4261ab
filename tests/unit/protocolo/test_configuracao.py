"""Refused settings as pt-BR lines naming their variables, and the exit of a process that refuses them."""

from __future__ import annotations

import logging

import pytest
from pydantic import BaseModel, ValidationError

from protocolo.configuracao import STATUS_CONFIGURACAO, carregar_settings, de_settings, mensagens
from protocolo.settings import ApiSettings, KafkaSettings, Settings


def test_a_bad_value_names_its_variable_and_not_the_value() -> None:
    with pytest.raises(ValidationError) as erro:
        ApiSettings(port="porta-9f3c")  # type: ignore[arg-type]
    [linha] = mensagens(erro.value)
    assert linha.startswith("PROTOCOLO_API_PORT: valor inválido")
    assert "porta-9f3c" not in linha


def test_a_nested_section_uses_its_own_prefix() -> None:
    with pytest.raises(ValidationError) as erro:
        KafkaSettings(security_protocol="SASL_SSL", sasl_username="u")
    assert mensagens(erro.value) == [
        "PROTOCOLO_KAFKA_SASL_PASSWORD: obrigatório com PROTOCOLO_KAFKA_SECURITY_PROTOCOL=SASL_SSL"
    ]


def test_other_models_are_not_taken_for_settings() -> None:
    class Outro(BaseModel):
        n: int

    with pytest.raises(ValidationError) as erro:
        Outro(n="x")  # type: ignore[arg-type]
    assert not de_settings(erro.value)


def test_a_refusal_logs_each_reason_and_exits_with_the_configuration_status(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.CRITICAL), pytest.raises(SystemExit) as saida:
        carregar_settings(lambda: Settings(environment="production"))
    assert saida.value.code == STATUS_CONFIGURACAO
    assert any("configuração recusada: PROTOCOLO_SECRET_KEY" in r.getMessage() for r in caplog.records)


def test_valid_settings_are_returned() -> None:
    assert carregar_settings(Settings).environment == "development"
