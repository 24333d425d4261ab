"""The shell of `protocolo reconcile`: reads every topic to its end and the index, into a Conciliacao.

Topics are read without a consumer group (`protocolo.leitura.Leitor`), so an audit commits
nothing and disturbs no service; each one to the end it has when it is reached. The index is read
as it is now (no refresh is forced: a document indexed in the last second may not be seen yet).
"""

from __future__ import annotations

__all__ = ["conciliar"]

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from confluent_kafka import KafkaException, Message
from elasticsearch import ApiError, Elasticsearch, TransportError, helpers
from rich.progress import Progress

from cli.reconciliacao.conciliacao import Conciliacao, Faixa, Relatorio
from notifier.enviadas import Desfecho
from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.errors import CodecError, SourceUnreadable
from protocolo.inscricoes_topico import decodificar_inscricao
from protocolo.leitura import Leitor
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


def conciliar(settings: Settings, faixa: Faixa, progresso: Progress) -> Relatorio:
    """Read the raw topic, the DLQ, movimentos, subscriptions, enviadas and the index; compare them."""
    catalogo = catalogo_padrao()
    topicos = settings.kafka.topics
    conciliacao = Conciliacao(faixa, catalogo=catalogo, restrito_publico=settings.restrito_publico)
    for mensagem in _ler(settings, topicos.eventos, progresso, "eventos"):
        conciliacao.evento(mensagem.value(), escrito_em=_escrita(mensagem))
    cartas = _ler(settings, topicos.dlq, progresso, "rejeições (DLQ)")
    for mensagem, carta in _decodificados(cartas, catalogo, "dead_letter"):
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
        _ler_indice(es, settings, conciliacao)
    except (ApiError, TransportError) as exc:
        raise SourceUnreadable(f"índice ilegível: {exc}") from exc
    finally:
        es.close()
    progresso.update(tarefa, total=1, completed=1)
    return conciliacao.relatorio()
