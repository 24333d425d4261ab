"""`protocolo simulate`: realistic agency traffic for demos, tests and benchmarks."""

from __future__ import annotations

__all__ = ["simulate"]

import json
import threading
from pathlib import Path
from typing import Annotated

import typer

from cli.commands._base import app, barra_de_progresso, console, erros
from protocolo.errors import ProtocoloError
from protocolo.settings import Settings


@app.command()
def simulate(
    eventos: Annotated[int, typer.Option(min=1, help="Quantos eventos gerar")] = 10_000,
    taxa: Annotated[
        float, typer.Option(min=0.0, help="Eventos por segundo; 0 = o mais rápido possível")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Semente: a mesma semente gera o mesmo tráfego")] = 42,
    orgaos: Annotated[int, typer.Option(min=1, help="Quantos órgãos publicam")] = 5,
    duplicados: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fração de reenvios idênticos")] = 0.05,
    desordem: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fração de eventos atrasados")] = 0.05,
    invalidos: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fração de eventos inválidos")] = 0.01,
    restritos: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fração de processos restritos")] = 0.05,
    sigilosos: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fração de processos sigilosos")] = 0.02,
    saida: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Grava JSON Lines neste arquivo em vez de publicar")
    ] = None,
    oraculo: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Grava aqui o estado esperado de cada processo (JSON)")
    ] = None,
) -> None:
    """Gera tráfego simulado de órgãos: processos plausíveis, reenvios, desordem e eventos inválidos."""
    from cli.simulation.simulator import SimulationConfig, Simulator
    from protocolo.referencia import carregar_referencia

    try:
        config = SimulationConfig(
            seed=seed,
            orgaos=orgaos,
            duplicate_fraction=duplicados,
            disorder_fraction=desordem,
            invalid_fraction=invalidos,
            restrito_fraction=restritos,
            sigiloso_fraction=sigilosos,
        )
        simulador = Simulator(config, carregar_referencia())
    except ValueError as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    with barra_de_progresso() as progresso:
        tarefa = progresso.add_task("gerando" if saida else "publicando", total=eventos)
        if saida is not None:
            with saida.open("w", encoding="utf-8") as arquivo:
                for n, dados in enumerate(simulador.eventos(), start=1):
                    arquivo.write(json.dumps(dados, ensure_ascii=False) + "\n")
                    progresso.advance(tarefa)
                    if n >= eventos:
                        break
            console.print(f"gravados: {eventos} eventos em {saida}", highlight=False)
        else:
            from cli.simulation.sender import enviar_simulacao

            try:
                contagem = enviar_simulacao(
                    Settings(),
                    simulador.eventos(),
                    parar=threading.Event(),
                    limite=eventos,
                    taxa=taxa,
                    ao_avancar=lambda c: progresso.update(tarefa, completed=c.total),
                )
            except ProtocoloError as exc:
                erros.print(f"[red]erro:[/] {exc}", highlight=False)
                raise typer.Exit(1) from exc
            console.print(
                f"publicados: {contagem.validos} válidos, {contagem.invalidos} inválidos (vão para a fila "
                f"de rejeitados), {contagem.nao_representaveis} impossíveis de codificar (não enviados)",
                highlight=False,
            )
    if oraculo is not None:
        oraculo.write_text(json.dumps(simulador.oracle().to_json(), ensure_ascii=False), encoding="utf-8")
        console.print(f"oráculo: {oraculo}", highlight=False)
