"""`protocolo inscricoes rekey`: move subscriptions to keys made with the current secret."""

from __future__ import annotations

__all__ = ["inscricoes_app"]

from typing import Annotated

import typer

from cli.commands._base import app, console, erros
from protocolo.errors import PublishError
from protocolo.settings import Settings

inscricoes_app = typer.Typer(help="Inscrições de cidadãos por e-mail.", no_args_is_help=True)
app.add_typer(inscricoes_app, name="inscricoes")


@inscricoes_app.command("rekey")
def inscricoes_rekey(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Só conta; não grava nada")] = False,
) -> None:
    """Passa as inscrições confirmadas para a chave atual (PROTOCOLO_SECRET_KEYS, a primeira).

    Cada uma é gravada sob a nova chave e depois removida da antiga; os links já enviados continuam
    valendo enquanto a chave antiga estiver na lista. As pendentes mudam de chave ao serem confirmadas.
    """
    from protocolo.inscricoes import (
        EstadoInscricao,
        com_devolucao,
        devolucao_from_avro,
        inscricao_from_avro,
        rechavear,
    )
    from protocolo.inscricoes_topico import (
        decodificar_devolucao,
        decodificar_inscricao,
        mensagem_inscricao,
    )
    from protocolo.topico_compactado import gravar, ler_tabela

    settings = Settings()
    kafka = settings.kafka
    registros = ler_tabela(kafka, kafka.topics.inscricoes, decodificar_inscricao)
    marcas = ler_tabela(kafka, kafka.topics.devolucoes, decodificar_devolucao)
    novas: list[tuple[bytes, bytes | None]] = []
    antigas: list[tuple[bytes, bytes | None]] = []
    pendentes = atuais = 0
    for chave, registro in registros.items():
        marca = marcas.get(chave)
        inscricao = com_devolucao(
            inscricao_from_avro(chave, registro), devolucao_from_avro(chave, marca) if marca else None
        )
        assert inscricao is not None
        movida = rechavear(inscricao, settings.chaveiro)
        if movida is None:
            atuais += 1
        elif inscricao.estado is EstadoInscricao.PENDENTE:
            pendentes += 1
        else:
            if movida.chave not in registros:  # else asked again under the current key: drop the old one
                novas.append(mensagem_inscricao(movida))
            antigas.append((chave.encode(), None))
    if not dry_run and antigas:
        try:
            # The new records first, acknowledged, then the old keys' removal: never a moment without.
            gravar(kafka, kafka.topics.inscricoes, novas)
            gravar(kafka, kafka.topics.inscricoes, antigas)
        except PublishError as exc:
            erros.print(f"[red]erro:[/] nem todas foram gravadas (repita o comando): {exc}", highlight=False)
            raise typer.Exit(1) from exc
    verbo = "a mudar" if dry_run else "mudadas"
    console.print(
        f"chave atual {settings.chaveiro.atual.id}: {verbo} {len(antigas)}, já na chave atual {atuais}, "
        f"pendentes (mudam ao confirmar) {pendentes}",
        highlight=False,
    )
