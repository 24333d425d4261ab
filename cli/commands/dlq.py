"""`protocolo dlq list|show|redrive`: what was rejected, why, and sending it back once fixed.

Dead letters are shown masked (protocolo.rejeicoes): a CPF in the rejected event, its reason or
its violations never reaches the terminal in full. Only the raw events' DLQ can be redriven: the
indexer's holds the streams' own output, whose fix is a reindex (docs/topicos.md, decision 2).
"""

from __future__ import annotations

__all__ = ["dlq_app"]

import json
from collections import Counter
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.commands._base import app, barra_de_progresso, console, erros
from cli.commands.replay import falhar, ilegivel, opcoes_de_filtro
from cli.replay.intervalo import LimiteInvalido, parse_limite
from cli.replay.linhas import TopicoDesconhecido
from protocolo.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cli.dlq.redrive import Extensao
    from cli.dlq.selecao import Carta, Selecao
    from cli.replay.intervalo import Limite
    from cli.replay.leitura import Faixa

# Dead letters sent per batch by a redrive: the selection itself is never held whole.
_LOTE_REENVIO = 1_000

dlq_app = typer.Typer(help="Cartas mortas: eventos rejeitados, o motivo, e o reenvio.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")

TopicoOpt = Annotated[str, typer.Option("--topico", help="dlq (eventos brutos) ou dlq_indexacao (indexador)")]
OrgaoOpt = Annotated[str | None, typer.Option(help="Só cartas de eventos deste órgão")]
CodigoOpt = Annotated[str | None, typer.Option(help="Só este código (ex.: EVENTO_INVALIDO)")]
DesdeOpt = Annotated[str, typer.Option(help="Offset, data e hora RFC 3339 ou 'inicio'")]
PosicoesArg = Annotated[list[str] | None, typer.Argument(help="Cartas pela posição PARTICAO/OFFSET")]


def _posicoes(textos: list[str] | None) -> frozenset[tuple[int, int]]:
    posicoes = set()
    for texto in textos or ():
        partes = texto.replace(":", "/").split("/")
        if len(partes) != 2 or not all(p.strip().isdigit() for p in partes):
            raise falhar(f"posição {texto!r}: use PARTICAO/OFFSET (ex.: 0/42)")
        posicoes.add((int(partes[0]), int(partes[1])))
    return frozenset(posicoes)


def _preparar(
    topico: str, orgao: str | None, codigo: str | None, desde: str, posicoes: list[str] | None
) -> tuple[Settings, str, Selecao, Limite]:
    from cli.dlq.selecao import Selecao, resolver_dlq
    from protocolo.geracao_topico import geracao_ativa

    settings = Settings()
    try:
        resolver_dlq(topico, settings.kafka.topics)  # a bad name fails before the broker is asked
        inicio = parse_limite(desde, opcao="--desde")
    except (TopicoDesconhecido, LimiteInvalido) as exc:
        raise falhar(str(exc)) from exc
    settings = geracao_ativa(settings)  # `dlq`: the DLQ of the generation the streams run
    nome = resolver_dlq(topico, settings.kafka.topics)
    selecao = Selecao(opcoes_de_filtro(orgao, None, None), codigo, _posicoes(posicoes))
    return settings, nome, selecao, inicio


def _iterar_cartas(
    settings: Settings,
    topico: str,
    selecao: Selecao,
    desde: Limite,
    *,
    descricao: str,
    faixas: dict[int, Faixa] | None = None,
) -> Iterator[Carta]:
    """The selected dead letters one at a time, under a progress bar (`faixas`: only these slices)."""
    from cli.dlq.selecao import ler_cartas
    from cli.replay.leitura import TopicoAusente
    from cli.replay.percurso import Contagem
    from protocolo.avro import catalogo_padrao

    with barra_de_progresso(com_taxa=True) as progresso:
        tarefa = progresso.add_task(descricao, total=None)
        try:
            yield from ler_cartas(
                settings.kafka,
                topico,
                catalogo=catalogo_padrao(),
                selecao=selecao,
                desde=desde,
                contagem=Contagem(),
                ao_ilegivel=ilegivel,
                ao_ler=lambda leitura: progresso.update(tarefa, completed=leitura.lidas),
                faixas=faixas,
            )
        except TopicoAusente as exc:
            raise falhar(str(exc)) from exc


def _cartas(settings: Settings, topico: str, selecao: Selecao, desde: Limite) -> list[Carta]:
    """The selected dead letters (each one masked for display, its record kept for a redrive)."""
    return list(_iterar_cartas(settings, topico, selecao, desde, descricao=f"lendo {topico}"))


def _data(carta: Carta) -> str:
    return carta.rejeitado.registrado_em.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dlq_app.command("list")
def dlq_list(
    topico: TopicoOpt = "dlq",
    orgao: OrgaoOpt = None,
    codigo: CodigoOpt = None,
    desde: DesdeOpt = "inicio",
    limite: Annotated[int, typer.Option(min=0, help="Cartas listadas (as contagens valem para todas)")] = 50,
) -> None:
    """Lista cartas mortas (CPFs mascarados) e conta-as por código."""
    settings, nome, selecao, inicio = _preparar(topico, orgao, codigo, desde, None)
    cartas = _cartas(settings, nome, selecao, inicio)
    tabela = Table(
        "carta", "registrada em", "código", "órgão", "id", "NUP", "motivo", title=f"cartas em {nome}"
    )
    for carta in cartas[:limite]:
        r = carta.rejeitado
        motivo = r.motivo if len(r.motivo) <= 90 else r.motivo[:89] + "…"
        tabela.add_row(
            f"{r.carta.particao}/{r.carta.offset}",
            _data(carta),
            r.codigo,
            r.orgao or "—",
            r.id or "—",
            r.nup or "—",
            motivo,
        )
    console.print(tabela)
    por_codigo = Counter(c.rejeitado.codigo for c in cartas)
    contagens = Table("código", "cartas", title="por motivo")
    for codigo_, quantas in por_codigo.most_common():
        contagens.add_row(codigo_, str(quantas))
    console.print(contagens)
    mostradas = min(limite, len(cartas))
    console.print(f"{len(cartas)} cartas, {mostradas} listadas", highlight=False)


@dlq_app.command("show")
def dlq_show(
    posicoes: PosicoesArg = None,
    topico: TopicoOpt = "dlq",
    orgao: OrgaoOpt = None,
    codigo: CodigoOpt = None,
    desde: DesdeOpt = "inicio",
) -> None:
    """Mostra cada carta por inteiro: motivo, violações, origem e o evento (CPFs mascarados)."""
    settings, nome, selecao, inicio = _preparar(topico, orgao, codigo, desde, posicoes)
    cartas = _cartas(settings, nome, selecao, inicio)
    for carta in cartas:
        _mostrar(carta)
    console.print(f"{len(cartas)} cartas", highlight=False)


def _mostrar(carta: Carta) -> None:
    from cli.replay.saidas import para_json
    from protocolo.avro import catalogo_padrao
    from protocolo.errors import CodecError
    from protocolo.masking import mascarar_texto

    r = carta.rejeitado

    def linha(texto: str) -> None:
        console.print(texto, markup=False, highlight=False)

    linha(f"carta {r.carta}  registrada em {_data(carta)}")
    linha(f"  código: {r.codigo}")
    linha(f"  motivo: {r.motivo}")
    for violacao in r.violacoes:
        linha(f"  violação: {violacao.campo}: {violacao.motivo}")
    linha(f"  mensagem original: {r.original}")
    valor = carta.registro.get("valor")
    catalogo = catalogo_padrao()
    escritor = catalogo.nome_escritor(valor) if isinstance(valor, bytes) else None
    if not valor:
        linha("  conteúdo: ausente (grande demais para a carta; veja a mensagem original)")
    elif escritor is None:
        linha(f"  conteúdo: {len(valor)} bytes que não são Avro de um esquema conhecido")
    else:
        try:
            lido = catalogo.decode(escritor, valor)
        except CodecError as exc:
            linha(f"  conteúdo: {escritor} ilegível: {exc}")
        else:
            texto = json.dumps(para_json(lido), ensure_ascii=False, sort_keys=True)
            linha(f"  {escritor}: {mascarar_texto(texto)}")
    linha("")


@dlq_app.command("redrive")
def dlq_redrive(
    posicoes: PosicoesArg = None,
    orgao: OrgaoOpt = None,
    codigo: CodigoOpt = None,
    desde: DesdeOpt = "inicio",
    corrigido: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="Evento corrigido (JSON) no lugar dos bytes originais"
        ),
    ] = None,
    forcar: Annotated[bool, typer.Option("--forcar", help="Reenvia também cartas já reenviadas")] = False,
    todas: Annotated[
        bool, typer.Option("--todas", help="Sem filtro nem posição: reenvia toda a DLQ")
    ] = False,
) -> None:
    """Reenvia cartas mortas ao tópico de eventos: os bytes originais ou um evento corrigido."""
    from cli.dlq.redrive import Extensao, planejar
    from cli.replay.leitura import Faixa
    from protocolo.errors import PublishError
    from protocolo.kafka import make_producer
    from protocolo.produce import produce_and_wait

    settings, nome, selecao, inicio = _preparar("dlq", orgao, codigo, desde, posicoes)
    if selecao.filtro.vazio and selecao.codigo is None and not selecao.posicoes and not todas:
        raise falhar("escolha as cartas (posições, --orgao ou --codigo) ou use --todas")
    novo = _ler_corrigido(corrigido) if corrigido is not None else None
    # Two passes, so that the selection is never held whole: its extent first, then the sending.
    extensao = Extensao(nome)
    for carta in _iterar_cartas(settings, nome, selecao, inicio, descricao=f"lendo {nome}"):
        extensao.incluir(carta)
    if novo is not None and extensao.cartas != 1:
        raise falhar(f"--corrigido substitui uma carta só; a seleção tem {extensao.cartas}")
    ja = _ja_reenviadas(settings, extensao) if extensao.desde is not None else set()
    faixas = {
        p: Faixa(primeiro, ultimo + 1, posicao=primeiro) for p, (primeiro, ultimo) in extensao.limites.items()
    }
    producer = make_producer(settings.kafka) if extensao.cartas else None
    enviadas = ja_reenviadas = sem_original = 0

    def reenviar(cartas: list[Carta]) -> None:
        nonlocal enviadas, ja_reenviadas, sem_original
        plano = planejar(cartas, ja_enviadas=ja, forcar=forcar, corrigido=novo)
        if plano.mensagens and producer is not None:
            try:
                produce_and_wait(
                    producer,
                    settings.kafka.topics.eventos,
                    plano.mensagens,
                    timeout_s=60,
                    headers=plano.cabecalhos,
                    what="eventos",
                )
            except PublishError as exc:
                erros.print(f"[red]erro:[/] {escape(str(exc))}", highlight=False)
                raise typer.Exit(1) from exc
        for nome_carta in plano.ja_reenviadas:
            erros.print(f"carta {nome_carta}: já reenviada antes (use --forcar para reenviar)", markup=False)
        for nome_carta in plano.sem_original:
            erros.print(f"carta {nome_carta}: sem os bytes originais; use --corrigido", markup=False)
        enviadas += len(plano.enviadas)
        ja_reenviadas += len(plano.ja_reenviadas)
        sem_original += len(plano.sem_original)

    lote: list[Carta] = []
    for carta in _iterar_cartas(settings, nome, selecao, inicio, descricao="reenviando", faixas=faixas):
        lote.append(carta)
        if len(lote) >= _LOTE_REENVIO:
            reenviar(lote)
            lote = []
    reenviar(lote)
    console.print(
        f"reenviadas: {enviadas}, já reenviadas antes: {ja_reenviadas}, sem bytes originais: {sem_original}",
        highlight=False,
    )


def _ler_corrigido(arquivo: Path) -> tuple[bytes, bytes]:
    """The corrected event's raw-topic message; exit 2 naming the file and each field at fault."""
    from protocolo.avro import catalogo_padrao
    from protocolo.errors import InvalidEvent
    from protocolo.registros import evento_mensagem
    from protocolo.validation import evento_from_json

    try:
        dados = json.loads(arquivo.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise falhar(f"{arquivo}: JSON inválido: {exc}") from exc
    try:
        evento = evento_from_json(dados)
    except InvalidEvent as exc:
        for violacao in exc.violations:
            erros.print(f"{arquivo}: {violacao.campo}: {violacao.motivo}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    return evento_mensagem(catalogo_padrao(), evento)


def _ja_reenviadas(settings: Settings, extensao: Extensao) -> set[str]:
    """Dead letters inside `extensao` named by the redrive headers on the raw topic since its oldest."""
    from cli.dlq.redrive import reenviadas_nos_cabecalhos
    from cli.replay.intervalo import Fim, Instante
    from cli.replay.leitura import Leitura, resolver_faixa

    assert extensao.desde is not None, "an empty selection has nothing to look up"
    topico = settings.kafka.topics.eventos
    desde = Instante(extensao.desde.astimezone(UTC))
    with Leitura(settings.kafka, topico, resolver_faixa(settings.kafka, topico, desde, Fim())) as leitura:
        return reenviadas_nos_cabecalhos((m.headers() for m in leitura), extensao)  # type: ignore[misc]
