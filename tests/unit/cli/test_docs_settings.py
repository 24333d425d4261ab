"""Specification of cli.docs_settings: docs/operacao.md's settings table is what Settings renders."""

from __future__ import annotations

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cli.docs_settings import DOC, END, START, render_settings_table, settings_rows, update_doc
from protocolo.settings import Settings


def test_the_operators_settings_table_is_the_generated_one() -> None:
    texto = DOC.read_text(encoding="utf-8")
    assert texto == update_doc(texto), (
        "the settings table of docs/operacao.md differs from protocolo/settings.py: "
        "run `.venv/bin/python -m cli.docs_settings` (or `make docs`) and commit docs/operacao.md"
    )


def test_every_field_of_every_section_has_a_row() -> None:
    variaveis = {variavel for variavel, _, _ in settings_rows()}
    secoes = [Settings(), *(v for v in dict(Settings()).values() if isinstance(v, BaseSettings))]
    secoes.append(Settings().kafka.topics)
    esperadas = {
        f"{secao.model_config['env_prefix']}{nome}".upper()
        for secao in secoes
        for nome, valor in dict(secao).items()
        if not isinstance(valor, BaseSettings)
    }
    assert variaveis == esperadas
    assert "PROTOCOLO_TOPIC_EVENTOS" in variaveis  # nested two levels down: Settings.kafka.topics


def test_secrets_never_show_their_default() -> None:
    tabela = render_settings_table()
    assert "| `PROTOCOLO_SECRET_KEY` | (secret) |" in tabela
    assert Settings().secret_key.get_secret_value() not in tabela


def test_a_field_without_description_is_refused() -> None:
    class Sem(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="X_")
        campo: int = 1

    with pytest.raises(ValueError, match="Sem.campo has no description"):
        settings_rows(Sem)


def test_defaults_are_rendered_as_operators_type_them() -> None:
    class Exemplo(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="X_")
        ligado: bool = Field(default=True, description="a")
        nada: str | None = Field(default=None, description="b")
        chave: SecretStr = Field(default=SecretStr("s3gr3d0"), description="c")

    assert settings_rows(Exemplo) == [
        ("X_LIGADO", "`true`", "a"),
        ("X_NADA", "—", "b"),
        ("X_CHAVE", "(secret)", "c"),
    ]


def test_drift_is_detected_and_regenerating_fixes_it() -> None:
    texto = DOC.read_text(encoding="utf-8")
    alterado = texto.replace("| `PROTOCOLO_SMTP_TIMEOUT_S` |", "| `PROTOCOLO_SMTP_TEMPO` |")
    assert alterado != texto
    assert update_doc(alterado) == texto


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no settings markers"):
        update_doc(f"# título\n{END}\n{START}\n")
