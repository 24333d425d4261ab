"""The `protocolo` command's names: English verbs, or domain nouns for the groups about one."""

from __future__ import annotations

import typer.main

from cli import app

# Verbs, and the command groups named after the domain noun they act on (`referencia load`, `nup check`).
VERBOS = {"create-topics", "publish", "simulate", "up"}
GRUPOS_DE_DOMINIO = {"agencias", "inscricoes", "nup", "referencia"}


def test_the_documented_commands_are_registered() -> None:
    comandos = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert VERBOS | GRUPOS_DE_DOMINIO <= comandos


def test_topics_is_now_create_topics() -> None:
    comandos = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert "topics" not in comandos
    assert comandos["create-topics"].help.startswith("Cria os tópicos que faltam")
