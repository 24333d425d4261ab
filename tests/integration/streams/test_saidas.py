"""The streams' output producer (streams.saidas) on the real local broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from protocolo.kafka import make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import Settings
from streams.saidas import Conclusao, Saidas


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


def test_each_remessa_is_concluded_on_its_own_records_while_the_next_one_is_queued(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    topico = settings.kafka.topics.movimentos
    saidas = Saidas(make_producer(settings.kafka, **{"message.max.bytes": 100_000}), espera_s=5)
    primeira = saidas.abrir()
    for n in range(300):
        saidas.enviar(topico, f"a{n}".encode(), b"v" * 100, origem=n, particao=0, remessa=primeira)
    saidas.enviar(topico, b"grande", b"x" * 200_000, origem="grande", particao=0, remessa=primeira)
    segunda = saidas.abrir()  # the next batch is queued before the first one is concluded
    for n in range(200):
        saidas.enviar(topico, f"b{n}".encode(), b"v" * 100, origem=n, particao=1, remessa=segunda)

    async def concluir_as_duas() -> tuple[Conclusao, Conclusao]:
        return await saidas.concluir(primeira), await saidas.concluir(segunda)

    da_primeira, da_segunda = asyncio.run(concluir_as_duas())

    assert [r.origem for r in da_primeira.recusas] == ["grande"]  # each refusal in its own remessa
    assert da_segunda.recusas == []
    lidas = list(ler_ate_o_fim(settings.kafka, topico))
    por_particao: dict[int, list[bytes]] = {}
    for m in lidas:
        por_particao.setdefault(m.partition(), []).append(m.key())
    assert sorted(por_particao[0]) == sorted(f"a{n}".encode() for n in range(300))
    assert sorted(por_particao[1]) == sorted(f"b{n}".encode() for n in range(200))
    assert da_primeira.offsets == {(topico, 0): 299}
    assert da_segunda.offsets == {(topico, 1): 199}
    assert primeira.pendentes == 0 and segunda.pendentes == 0
