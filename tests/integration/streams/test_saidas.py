"""The streams' output producer (streams.saidas) on the real local broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from protocolo.kafka import make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import Settings
from streams.saidas import Saidas


def test_a_batch_is_acknowledged_whole_and_a_record_too_large_comes_back_as_a_refusal(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    topico = settings.kafka.topics.movimentos
    saidas = Saidas(make_producer(settings.kafka, **{"message.max.bytes": 100_000}), espera_s=5)
    for n in range(500):
        saidas.enviar(topico, f"k{n}".encode(), b"v" * 1000, origem=("evento", n))
    saidas.enviar(topico, b"grande", b"x" * 200_000, origem=("evento", "grande"))

    conclusao = asyncio.run(saidas.concluir())
    recusas = conclusao.recusas

    assert [(r.topico, r.origem) for r in recusas] == [(topico, ("evento", "grande"))]
    assert "MSG_SIZE_TOO_LARGE" in recusas[0].erro
    lidas = list(ler_ate_o_fim(settings.kafka, topico))
    assert sorted(m.key() for m in lidas) == sorted(f"k{n}".encode() for n in range(500))
    ultimos: dict[tuple[str, int], int] = {}
    for m in lidas:
        ultimos[(topico, m.partition())] = max(ultimos.get((topico, m.partition()), -1), m.offset())
    assert conclusao.offsets == ultimos  # the highest offset acknowledged in each partition
    assert asyncio.run(saidas.concluir()).recusas == []  # refusals are returned once
