"""The shell of `protocolo reconcile`: reads every topic to its end and the index, into a Conciliacao.

Topics are read without a consumer group (`protocolo.leitura.Leitor`), so an audit commits
nothing and disturbs no service. On a system that is receiving events, the sources are read at one
cut: the raw topic first, to its end (the cut); then it waits, up to `prazo_s`, until the streams
have committed past the cut (and past their re-keying topic's end), and the indexer and the
notifier past the end the derived topics have then (OffsetFetch of their groups, the active
generation's), refreshes the aliases, and reads the rest. Last, the raw messages published since
the cut are read, so that what the pipeline made of them is left out (`Conciliacao.alem_do_corte`).
A consumer that does not reach the cut in time (stopped, or far behind) is named in the report.
"""

from __future__ import annotations

__all__ = ["conciliar"]

import logging
import time as relogio
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition
from elasticsearch import ApiError, Elasticsearch, TransportError, helpers
from rich.progress import Progress

from cli.reconciliacao.conciliacao import Conciliacao, Faixa, Relatorio
from notifier.enviadas import Desfecho
from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.errors import CodecError, SourceUnreadable
from protocolo.geracao import servico_na_geracao
from protocolo.inscricoes_topico import decodificar_inscricao
from protocolo.kafka import make_consumer
from protocolo.leitura import Leitor, ler_ate_o_fim
from protocolo.search import make_search
from protocolo.settings import Settings
from protocolo.topico_compactado import ler_tabela

logger = logging.getLogger(__name__)

_BRASILIA = ZoneInfo("America/Sao_Paulo")


def _ler(settings: Settings, topico: str, progresso: Progress, descricao: str) -> Iterator[Message]:
    """Every message of `topico` up to its end, advancing a progress task."""
    tarefa = progresso.add_task(descricao, total=None)
    lidas = 0
    try:
        with Leitor(settings.kafka, topico) as leitor:
            while not leitor.no_fim:
                mensagens = leitor.ler()
                yield from mensagens
                lidas += len(mensagens)
                progresso.update(tarefa, completed=lidas)
    except KafkaException as exc:
        raise SourceUnreadable(f"tópico {topico} ilegível: {exc}") from exc
    progresso.update(tarefa, total=lidas, completed=lidas)


def _fins(settings: Settings, topico: str) -> dict[int, int]:
    """partition -> offset after its last message, `topico` read to its end ({} when it is missing)."""
    fins: dict[int, int] = {}
    try:
        for mensagem in ler_ate_o_fim(settings.kafka, topico, limite_s=300):
            fins[mensagem.partition() or 0] = (mensagem.offset() or 0) + 1
    except KafkaException:
        return {}
    return fins


def _falta(consumidor: Consumer, topico: str, fins: Mapping[int, int]) -> int:
    """Messages of `topico` before `fins` that the consumer's group has not committed past."""
    if not fins:
        return 0
    pedidas = [TopicPartition(topico, p) for p in sorted(fins)]
    feitos = {tp.partition: max(tp.offset, 0) for tp in consumidor.committed(pedidas, timeout=10)}
    return sum(max(0, fim - feitos.get(p, 0)) for p, fim in fins.items())


def _esperar_grupo(
    settings: Settings, servico: str, fins: Mapping[str, Mapping[int, int]], limite: float
) -> str | None:
    """Wait until the group of `servico` committed past `fins` (topic -> partition -> offset), or
    until `limite` (monotonic); None when it did, else what was left (pt-BR)."""
    grupo = settings.kafka.group(servico_na_geracao(servico, settings.streams.geracao))
    consumidor = make_consumer(settings.kafka, grupo)
    try:
        while True:
            faltam = sum(_falta(consumidor, topico, ps) for topico, ps in fins.items())
            if not faltam:
                return None
            if relogio.monotonic() > limite:
                return f"{servico} (grupo {grupo}): {faltam} mensagens antes do corte ainda não consumidas"
            relogio.sleep(0.5)
    except KafkaException as exc:
        return f"{servico} (grupo {grupo}): posições ilegíveis ({exc})"
    finally:
        consumidor.close()


def _alcancar_corte(settings: Settings, corte: Mapping[int, int], prazo_s: float) -> list[str]:
    """Wait for the streams, then the indexer and the notifier, to pass the cut; what did not, pt-BR."""
    topicos = settings.kafka.topics
    limite = relogio.monotonic() + prazo_s
    atrasos: list[str] = []
    streams = settings.kafka.group(servico_na_geracao("streams", settings.streams.geracao))
    # Events read from a partition other than their NUP's go through the streams' re-keying topic.
    if atraso := _esperar_grupo(settings, "streams", {topicos.eventos: corte}, limite):
        atrasos.append(atraso)
    else:
        por_nup = f"{streams}-eventos-por-nup"
        if atraso := _esperar_grupo(settings, "streams", {por_nup: _fins(settings, por_nup)}, limite):
            atrasos.append(atraso)
    movimentos = _fins(settings, topicos.movimentos)
    derivados = {topicos.processos: _fins(settings, topicos.processos), topicos.movimentos: movimentos}
    for servico, fins in (("indexer", derivados), ("notifier", {topicos.movimentos: movimentos})):
        if atraso := _esperar_grupo(settings, servico, fins, limite):
            atrasos.append(atraso)
    return atrasos


def _depois_do_corte(settings: Settings, corte: Mapping[int, int]) -> dict[int, int]:
    """Where the raw messages after the cut begin: the cut, and 0 in partitions empty at the cut."""
    consumidor = make_consumer(settings.kafka, f"{settings.kafka.group_prefix}-reconcile")
    try:
        info = consumidor.list_topics(settings.kafka.topics.eventos, timeout=15).topics.get(
            settings.kafka.topics.eventos
        )
        particoes = list(info.partitions) if info is not None and info.partitions else []
    finally:
        consumidor.close()
    return {p: corte.get(p, 0) for p in sorted({*particoes, *corte})}


def _escrita(mensagem: Message) -> datetime:
    return datetime.fromtimestamp(mensagem.timestamp()[1] / 1000, UTC)


def _decodificados(
    mensagens: Iterator[Message], catalogo: Catalogo, nome: str
) -> Iterator[tuple[Message, dict[str, Any]]]:
    """Each message decoded as a `nome` record; one that is not is logged with its place and skipped."""
    for mensagem in mensagens:
        try:
            yield mensagem, catalogo.decode(nome, mensagem.value() or b"")
        except CodecError as exc:
            logger.warning(
                "record skipped topic=%s partition=%s offset=%s reason=%s",
                mensagem.topic(),
                mensagem.partition(),
                mensagem.offset(),
                exc,
            )


def _inicio_do_dia(dia: date) -> str:
    return datetime.combine(dia, time(), _BRASILIA).isoformat()


def _filtro(faixa: Faixa) -> dict[str, Any]:
    """The movimentos of the slice: its órgão and its Brasília days, as whole instants."""
    filtros: list[dict[str, Any]] = []
    if faixa.orgao is not None:
        filtros.append({"term": {"orgao": faixa.orgao}})
    intervalo: dict[str, str] = {}
    if faixa.desde is not None:
        intervalo["gte"] = _inicio_do_dia(faixa.desde)
    if faixa.ate is not None:
        intervalo["lt"] = _inicio_do_dia(faixa.ate + timedelta(days=1))
    if intervalo:
        filtros.append({"range": {"ocorrido_em": intervalo}})
    return {"bool": {"filter": filtros}}


def _ler_indice(es: Elasticsearch, settings: Settings, conciliacao: Conciliacao) -> None:
    movimentos = settings.search.alias("movimentos")
    consulta = _filtro(conciliacao.faixa)
    resposta = es.search(
        index=movimentos,
        query=consulta,
        size=0,
        aggs={
            "orgaos": {
                "terms": {"field": "orgao", "size": 10_000},
                "aggs": {
                    "dias": {
                        "date_histogram": {
                            "field": "ocorrido_em",
                            "calendar_interval": "day",
                            "time_zone": "America/Sao_Paulo",
                            "format": "yyyy-MM-dd",
                            "min_doc_count": 1,
                        }
                    }
                },
            }
        },
    )
    for orgao in resposta["aggregations"]["orgaos"]["buckets"]:
        for dia in orgao["dias"]["buckets"]:
            dia_local = date.fromisoformat(dia["key_as_string"][:10])
            conciliacao.contagem_indice(orgao["key"], dia_local, dia["doc_count"])
    campos = ["nup", "orgao", "ocorrido_em"]
    for acerto in helpers.scan(es, index=movimentos, query={"query": consulta, "_source": campos}):
        conciliacao.documento(acerto["_id"], acerto["_source"])
    publicos = {"query": {"term": {"publico": True}}, "_source": ["nup"]}
    for acerto in helpers.scan(es, index=settings.search.alias("processos"), query=publicos):
        conciliacao.processo_indexado(acerto["_source"]["nup"])


def conciliar(settings: Settings, faixa: Faixa, progresso: Progress, *, prazo_s: float = 120.0) -> Relatorio:
    """Read the raw topic (the cut), wait for the pipeline to pass it (up to `prazo_s`; 0: no wait),
    read the DLQ, movimentos, subscriptions, enviadas and the index, then the raw messages after the cut."""
    catalogo = catalogo_padrao()
    topicos = settings.kafka.topics
    conciliacao = Conciliacao(faixa, catalogo=catalogo, restrito_publico=settings.restrito_publico)
    corte: dict[int, int] = {}
    for mensagem in _ler(settings, topicos.eventos, progresso, "eventos"):
        corte[mensagem.partition() or 0] = (mensagem.offset() or 0) + 1
        conciliacao.evento(mensagem.value(), escrito_em=_escrita(mensagem))
    atrasos: list[str] = []
    if prazo_s > 0:
        tarefa = progresso.add_task("esperando o pipeline alcançar o corte", total=None)
        atrasos = _alcancar_corte(settings, corte, prazo_s)
        progresso.update(tarefa, total=1, completed=1)
    cartas = _ler(settings, topicos.dlq, progresso, "rejeições (DLQ)")
    for mensagem, carta in _decodificados(cartas, catalogo, "dead_letter"):
        if carta["topico"] == topicos.eventos and carta["offset"] >= corte.get(carta["particao"], 0):
            continue  # the rejection of an event published after the cut: not counted, like the event
        conciliacao.dead_letter(carta, escrito_em=_escrita(mensagem))
    movimentos = _ler(settings, topicos.movimentos, progresso, "movimentos")
    for _mensagem, movimento in _decodificados(movimentos, catalogo, "movimento"):
        conciliacao.movimento(movimento)
    try:
        inscricoes = ler_tabela(settings.kafka, topicos.inscricoes, decodificar_inscricao, timeout_s=300)
        for chave, inscricao in inscricoes.items():
            conciliacao.inscricao(chave, inscricao["nup"])
    except (KafkaException, TimeoutError) as exc:
        raise SourceUnreadable(f"tópico {topicos.inscricoes} ilegível: {exc}") from exc
    enviadas = _ler(settings, topicos.enviadas, progresso, "e-mails (enviadas)")
    for _mensagem, enviada in _decodificados(enviadas, catalogo, "notificacao"):
        conciliacao.enviada(enviada["message_id"], aceita=enviada["resultado"] == Desfecho.ENVIADA)
    tarefa = progresso.add_task("índice", total=None)
    es = make_search(settings.search)
    try:
        if prazo_s > 0:  # what the indexer wrote before the cut, visible to search
            try:
                es.indices.refresh(index=[settings.search.alias(n) for n in ("movimentos", "processos")])
            except ApiError as exc:  # a cluster that refuses it: read as it is (a second's writes may lag)
                logger.warning("index refresh refused, reading the index as it is error=%s", exc)
        _ler_indice(es, settings, conciliacao)
    except (ApiError, TransportError) as exc:
        raise SourceUnreadable(f"índice ilegível: {exc}") from exc
    finally:
        es.close()
    progresso.update(tarefa, total=1, completed=1)
    # Published after the cut: read last, so that everything made of them before is recognised.
    try:
        with Leitor(settings.kafka, topicos.eventos, inicio=_depois_do_corte(settings, corte)) as leitor:
            while not leitor.no_fim:
                for mensagem in leitor.ler():
                    conciliacao.alem_do_corte(mensagem.value())
    except KafkaException as exc:
        raise SourceUnreadable(f"tópico {topicos.eventos} ilegível: {exc}") from exc
    relatorio = conciliacao.relatorio()
    relatorio.atrasos = atrasos
    return relatorio
