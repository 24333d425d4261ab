"""`protocolo agencias token`: credentials agencies use on the HTTP gateway."""

from __future__ import annotations

__all__ = ["agencias_app"]

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from cli.commands._base import app, console, erros
from cli.commands._tokens import data_utc, revogar_token
from protocolo.errors import PublishError
from protocolo.settings import Settings

agencias_app = typer.Typer(help="Agências (órgãos) que publicam pelo gateway HTTP.", no_args_is_help=True)
token_app = typer.Typer(help="Tokens de acesso ao gateway HTTP.", no_args_is_help=True)
app.add_typer(agencias_app, name="agencias")
agencias_app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    orgao: Annotated[str, typer.Argument(help="Código do órgão que poderá publicar com o token")],
    descricao: Annotated[str | None, typer.Option(help="Para quem ou para qual sistema é o token")] = None,
) -> None:
    """Cria um token para um órgão. O token aparece só agora: guarde-o em lugar seguro."""
    from protocolo.credenciais import gerar_credencial
    from protocolo.credenciais_topico import gravar_credencial

    settings = Settings()
    orgao = orgao.strip()
    if not orgao or len(orgao) > 20:
        erros.print("[red]erro:[/] código de órgão vazio ou longo demais (máximo 20 caracteres)")
        raise typer.Exit(2)
    segredo = settings.secret_key.get_secret_value().encode()
    credencial, token = gerar_credencial(segredo, orgao=orgao, agora=datetime.now(UTC), descricao=descricao)
    try:
        gravar_credencial(settings.kafka, credencial)
    except PublishError as exc:
        erros.print(f"[red]erro:[/] o token não foi registrado: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    erros.print(f"token {credencial.id} criado para o órgão {orgao}; ele não será mostrado de novo:")
    console.print(token, markup=False, highlight=False)


@token_app.command("revoke")
def token_revoke(
    id_: Annotated[str, typer.Argument(metavar="ID", help="Identificador do token (veja 'token list')")],
) -> None:
    """Revoga um token: o gateway passa a recusá-lo em instantes."""
    from protocolo.credenciais_topico import gravar_credencial, ler_credenciais

    kafka = Settings().kafka
    revogar_token(
        id_,
        ler=lambda: ler_credenciais(kafka),
        gravar=lambda c: gravar_credencial(kafka, c),
        dono=lambda c: f"do órgão {c.orgao}",
    )


@token_app.command("list")
def token_list() -> None:
    """Lista os tokens (nunca os segredos): órgão, criação, revogação."""
    from protocolo.credenciais_topico import ler_credenciais

    tabela = Table("id", "órgão", "descrição", "criado em", "revogado em")
    credenciais = ler_credenciais(Settings().kafka)
    for c in credenciais.todas():
        tabela.add_row(c.id, c.orgao, c.descricao or "", data_utc(c.criada_em), data_utc(c.revogada_em))
    console.print(tabela)
    ativos = sum(1 for c in credenciais.todas() if c.ativa)
    console.print(f"{len(credenciais)} tokens, {ativos} ativos", highlight=False)
