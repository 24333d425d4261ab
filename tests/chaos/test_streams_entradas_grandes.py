"""No input can crash a streams worker, however large: real broker, real `python -m streams` worker.

A processo with 20,000 andamentos flows through with a snapshot of bounded size; a message larger
than any record the worker may produce, and a processo whose snapshot outgrows the producer's limit,
become dead letters with their reason, and the partition goes on to the events after them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.model import Evento, Interessado
from protocolo.registros import evento_mensagem
from protocolo.settings import Settings, StreamsSettings
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import ler_topico
from tests.fixtures.lotes import evento_de_teste
from tests.fixtures.trabalhador import Trabalhador, metricas

pytestmark = pytest.mark.slow

T0 = datetime(2020, 1, 2, 9, 0, tzinfo=UTC)
LONGO = "23037001462202165"
GORDO = "23037001004201910"
DEPOIS = "23037001006201909"
LIMITE = 65_536  # the smallest producer limit the settings take: a snapshot can outgrow it


def _evento(nup: str, n: int, **campos: object) -> Evento:
    return evento_de_teste(nup, n, **{"ocorrido_em": T0 + timedelta(minutes=n), **campos})


@pytest.fixture
def trabalhador(settings_factory: Callable[..., Settings]) -> Iterator[Trabalhador]:
    settings = settings_factory(
        streams=StreamsSettings(recovery_consistency_check=False, producer_max_request_bytes=LIMITE)
    )
    t = Trabalhador(settings, "streams-grandes")
    t.iniciar()
    eventually(lambda: t.pronto.exists() or not t.vivo(), timeout=90, what="worker ready")
    yield t
    vivo = t.vivo()
    t.parar()
    texto = t.log.read_text(errors="replace")
    assert vivo, f"the worker died:\n{texto[-3000:]}"
    assert "Traceback" not in texto, texto[-3000:]


def test_huge_processos_and_messages_flow_through_or_to_the_dlq_and_never_stop_a_worker(
    trabalhador: Trabalhador,
) -> None:
    settings = trabalhador.settings
    catalogo = catalogo_padrao()
    producer = make_producer(settings.kafka, **{"message.max.bytes": 4_000_000})
    topico = settings.kafka.topics.eventos

    def publicar(evento: Evento) -> None:
        chave, valor = evento_mensagem(catalogo, evento)
        while True:
            try:
                producer.produce(topico, key=chave, value=valor)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)

    for n in range(20_000):
        publicar(_evento(LONGO, n, observacao=f"andamento {n} " + "x" * 200))
    # 200 interessados with long names, 40 per event: a valid processo whose snapshot outgrows LIMITE.
    for n in range(5):
        pessoas = tuple(Interessado(f"Pessoa {n}-{i} " + "n" * 280) for i in range(40))
        publicar(_evento(GORDO, n, interessados=pessoas, observacao="o" * 4000))
    # One raw message larger than the producer's limit, in the same partition as the events after it.
    (chave_depois, _) = evento_mensagem(catalogo, _evento(DEPOIS, 0))
    producer.produce(topico, key=chave_depois, value=b"{" + b"x" * 200_000)
    for n in range(3):
        publicar(_evento(DEPOIS, n))
    assert producer.flush(60) == 0

    def pronto() -> dict[str, dict[str, object]] | None:
        ultimos: dict[str, dict[str, object]] = {}
        for s in ler_topico(settings.kafka, settings.kafka.topics.processos, "processo"):
            ultimos[s["nup"]] = s
        ok = ultimos.get(LONGO, {}).get("versao") == 20_000 and ultimos.get(DEPOIS, {}).get("versao") == 3
        return ultimos if ok else None

    ultimos = eventually(
        pronto, timeout=240, interval=2, what="the 20,000th event and the events after the DLQ"
    )

    assert len(catalogo.encode("processo", ultimos[LONGO])) < 16_000
    assert ultimos.get(GORDO, {}).get("versao", 0) < 5
    cartas = ler_topico(settings.kafka, settings.kafka.topics.dlq, "dead_letter")
    codigos = sorted({c["codigo"] for c in cartas})
    assert codigos == ["MENSAGEM_CORROMPIDA", "REGISTRO_GRANDE_DEMAIS"], codigos
    grande = next(c for c in cartas if c["codigo"] == "MENSAGEM_CORROMPIDA")
    assert grande["valor"] is None and "omitida" in grande["motivo"]
    assert sum(c["codigo"] == "MENSAGEM_CORROMPIDA" for c in cartas) == 1
    # The events that would take GORDO's state (or snapshot) past the limit: each with its bytes.
    gordos = [c for c in cartas if c["codigo"] == "REGISTRO_GRANDE_DEMAIS"]
    assert gordos and all(c["valor"] is not None and "limite" in c["motivo"] for c in gordos)
    movimentos = ler_topico(settings.kafka, settings.kafka.topics.movimentos, "movimento")
    assert len({m["id"] for m in movimentos if m["nup"] == LONGO}) == 20_000
    amostras = metricas(trabalhador.porta_metricas)
    assert amostras["protocolo_streams_mensagens_total"] == 20_000 + 5 + 1 + 3
