"""`protocolo integradores token`: credentials integrators use to register webhooks."""

from __future__ import annotations

__all__ = ["integradores_app"]

import re
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from cli.commands._base import app, console, erros
from cli.commands._tokens import data_utc, revogar_token
from protocolo.errors import PublishError
from protocolo.settings import Settings

integradores_app = typer.Typer(help="Integradores: sistemas que recebem webhooks.", no_args_is_help=True)
token_app = typer.Typer(help="Tokens de acesso à API de webhooks.", no_args_is_help=True)
app.add_typer(integradores_app, name="integradores")
integradores_app.add_typer(token_app, name="token")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@token_app.command("create")
def token_create(
    nome: Annotated[str, typer.Argument(help="Nome do integrador (sistema ou organização)")],
    email: Annotated[
        str,
        typer.Option(help="Contato avisado quando um webhook for desativado; nunca é exibido"),
    ],
) -> None:
    """Cria um token para um integrador. O token aparece só agora: guarde-o em lugar seguro."""
    from protocolo.integradores import gerar_integrador
    from protocolo.integradores_topico import gravar_integrador

    settings = Settings()
    nome = nome.strip()
    if not nome or len(nome) > 100:
        erros.print("[red]erro:[/] nome vazio ou longo demais (máximo 100 caracteres)")
        raise typer.Exit(2)
    if not _EMAIL.match(email.strip()):
        erros.print("[red]erro:[/] e-mail de contato inválido")
        raise typer.Exit(2)
    segredo = settings.secret_key.get_secret_value().encode()
    integrador, token = gerar_integrador(segredo, nome=nome, email=email, agora=datetime.now(UTC))
    try:
        gravar_integrador(settings.kafka, integrador)
    except PublishError as exc:
        erros.print(f"[red]erro:[/] o token não foi registrado: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    erros.print(f"token {integrador.id} criado para {nome}; ele não será mostrado de novo:", highlight=False)
    console.print(token, markup=False, highlight=False)


@token_app.command("revoke")
def token_revoke(
    id_: Annotated[str, typer.Argument(metavar="ID", help="Identificador do token (veja 'token list')")],
) -> None:
    """Revoga um token: a API passa a recusá-lo em instantes (os webhooks já registrados continuam)."""
    from protocolo.integradores_topico import gravar_integrador, ler_integradores

    kafka = Settings().kafka
    revogar_token(
        id_,
        ler=lambda: ler_integradores(kafka),
        gravar=lambda i: gravar_integrador(kafka, i),
        dono=lambda i: f"de {i.nome}",
    )


@token_app.command("list")
def token_list() -> None:
    """Lista os tokens (nunca os segredos nem os e-mails): nome, criação, revogação."""
    from protocolo.integradores_topico import ler_integradores

    tabela = Table("id", "nome", "criado em", "revogado em")
    integradores = ler_integradores(Settings().kafka)
    for i in integradores.todas():
        tabela.add_row(i.id, i.nome, data_utc(i.criada_em), data_utc(i.revogada_em))
    console.print(tabela)
    ativos = sum(1 for i in integradores.todas() if i.ativa)
    console.print(f"{len(integradores)} tokens, {ativos} ativos", highlight=False)
