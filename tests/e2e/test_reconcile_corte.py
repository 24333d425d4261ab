"""`protocolo reconcile` on a system that is receiving events reconciles one consistent cut.

A burst is published and reconciled at once, while another publisher keeps going: the reconcile
waits for the streams, the indexer and the notifier to pass the cut, and leaves out what was made of
the events published after it. Before the cut existed, the same run listed the burst's events still
in transit as FALTA_NO_TOPICO / FALTA_NO_INDICE and the later ones as MOVIMENTO_SEM_EVENTO /
INDICE_SEM_MOVIMENTO (docs/reconciliacao.md).
"""

from __future__ import annotations

import re
import threading

import pytest

from producers.publisher import Publisher
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.pipeline import CGGP, PROTOCOLO, evento, novo_nup

pytestmark = pytest.mark.slow


def _publicar_sem_parar(settings: Settings, parar: threading.Event, publicados: list[int]) -> None:
    """Another agency's traffic: new processos (fresh NUPs and ids), about 40 events a second."""
    with Publisher(settings.kafka) as publisher:
        while not parar.is_set():
            nup = novo_nup()
            for n, operacao in enumerate(("AUTUACAO", "ENVIO", "RECEBIMENTO"), start=1):
                campos = {"assunto": "Tráfego durante a auditoria"} if n == 1 else {"unidade_destino": CGGP}
                publisher.publish(evento(nup, n, operacao, **({"unidade_origem": PROTOCOLO} | campos)))
                publicados[0] += 1
            publisher.flush()
            parar.wait(0.075)


def test_a_reconcile_during_traffic_has_no_mismatch_and_leaves_out_what_came_after_the_cut(
    pipeline: Settings,
) -> None:
    rajada = run_cli(
        pipeline, "simulate", "--eventos", "4000", "--seed", "21", "--taxa", "0", "--duplicados", "0.1"
    )
    assert rajada.returncode == 0, rajada.stderr
    parar, publicados = threading.Event(), [0]
    continuo = threading.Thread(target=_publicar_sem_parar, args=(pipeline, parar, publicados), daemon=True)
    continuo.start()
    try:
        resultado = run_cli(pipeline, "reconcile", "--prazo", "120", timeout=300)
    finally:
        parar.set()
        continuo.join(30)
    assert publicados[0] > 0
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr
    assert "divergências: 0" in resultado.stdout, resultado.stdout
    assert "aviso" not in resultado.stderr, resultado.stderr  # every consumer reached the cut
    (alem,) = re.findall(r"publicados depois do corte \(não contados\): (\d+)", resultado.stdout)
    assert int(alem) > 0, "nothing was published after the cut: the test proved nothing"
