"""protocolo.settings: the key ring from PROTOCOLO_SECRET_KEYS and PROTOCOLO_SECRET_KEY."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from protocolo.settings import Settings


def test_secret_key_alone_is_a_ring_of_k0() -> None:
    chaveiro = Settings(secret_key=SecretStr("unica")).chaveiro
    assert chaveiro.ids() == ["k0"] and chaveiro.atual.segredo == b"unica"


def test_secret_keys_is_the_ring_current_first() -> None:
    chaveiro = Settings(secret_keys=SecretStr("k2:novo,k1:velho")).chaveiro
    assert chaveiro.ids() == ["k2", "k1"] and chaveiro.atual.segredo == b"novo"


def test_a_set_secret_key_joins_the_ring_as_k0() -> None:
    chaveiro = Settings(secret_key=SecretStr("antiga"), secret_keys=SecretStr("k1:nova")).chaveiro
    assert chaveiro.ids() == ["k1", "k0"] and chaveiro.para(None) is not None
    assert chaveiro.para(None).segredo == b"antiga"  # type: ignore[union-attr]


def test_the_same_k0_listed_twice_is_accepted() -> None:
    chaveiro = Settings(secret_key=SecretStr("antiga"), secret_keys=SecretStr("k1:nova,k0:antiga")).chaveiro
    assert chaveiro.ids() == ["k1", "k0"]


def test_a_k0_that_is_not_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="not PROTOCOLO_SECRET_KEY"):
        Settings(secret_key=SecretStr("antiga"), secret_keys=SecretStr("k1:nova,k0:outra"))


def test_a_malformed_ring_is_refused_naming_the_setting_and_no_secret() -> None:
    with pytest.raises(ValidationError) as erro:
        Settings(secret_keys=SecretStr("k1:segredo-bom,segredo-sem-id"))
    assert "PROTOCOLO_SECRET_KEYS" in str(erro.value)
    assert "segredo-bom" not in str(erro.value) and "segredo-sem-id" not in str(erro.value)


def test_production_refuses_the_placeholder_in_the_ring() -> None:
    with pytest.raises(ValidationError, match="real secret"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="real secret"):
        Settings(environment="production", secret_keys=SecretStr("k1:troque-este-segredo-em-producao"))


def test_production_runs_on_secret_keys_alone() -> None:
    assert Settings(environment="production", secret_keys=SecretStr("k1:forte")).chaveiro.ids() == ["k1"]


def test_child_processes_get_the_ring() -> None:
    env = Settings(secret_keys=SecretStr("k2:novo,k1:velho")).to_env()
    assert Settings(**{"secret_keys": SecretStr(env["PROTOCOLO_SECRET_KEYS"])}).chaveiro.ids() == ["k2", "k1"]
