"""The real archiver, SIGKILLed while events stream in and started again: no gap and no duplicate.

The archive is compared with the topic read independently to its end (protocolo.leitura, no group):
the same (partition, offset, key, value) for every message, each exactly once, and the archive still
verifies (a record torn by the kill is cut off on restart).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from archiver.provas import ler_folhas
from cli.stack import LocalStack
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import ArquivoSettings, Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir

pytestmark = pytest.mark.slow

LOTES = 30
POR_LOTE = 200


def test_a_killed_archiver_resumes_with_no_gap_and_no_duplicate(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(
        arquivo=ArquivoSettings(
            eventos_por_segmento=700, checkpoint_eventos=1000, checkpoint_s=0.5, lote_max=150
        )
    )
    pasta = settings.pasta_arquivo()
    topico = settings.kafka.topics.eventos
    stack = LocalStack(settings, servicos=("archiver",))
    stack.iniciar_servicos()
    pronto = threading.Event()

    def publicar() -> None:
        for lote in range(LOTES):
            base = lote * POR_LOTE
            produzir(
                settings.kafka,
                topico,
                [(f"{(base + i) % 97:017d}".encode(), b"evento %d" % (base + i)) for i in range(POR_LOTE)],
            )
        pronto.set()

    produtor = threading.Thread(target=publicar, name="produtor")
    try:
        produtor.start()
        eventually(lambda: len(ler_folhas(pasta)[0]) >= 1500, what="part of the stream archived")
        stack.matar("archiver")
        mortos = len(ler_folhas(pasta)[0])
        stack.reiniciar("archiver")
        produtor.join()
        total = LOTES * POR_LOTE
        eventually(lambda: len(ler_folhas(pasta)[0]) >= total, timeout=120, what="the whole stream archived")
    finally:
        pronto.wait(60)
        stack.parar()
    assert mortos < total, "the kill came after the stream was archived: it proved nothing"

    _folhas, eventos = ler_folhas(pasta, escolher=lambda _e: True)
    arquivo = [(e.particao, e.offset, e.chave, e.valor) for e, _ in eventos]
    topico_lido = [
        (m.partition(), m.offset(), m.key(), m.value()) for m in ler_ate_o_fim(settings.kafka, topico)
    ]
    assert len(arquivo) == len(set(arquivo)), "duplicates in the archive"
    assert sorted(arquivo) == sorted(topico_lido)
    assert [e.indice for e, _ in eventos] == list(range(len(eventos)))

    chave = run_cli(settings, "audit", "key").stdout.strip()
    verificado = run_cli(settings, "audit", "verify", str(pasta), "--chave", chave)
    assert verificado.returncode == 0, verificado.stdout + verificado.stderr
