"""Saved-search webhooks on the real deliverer, fed the way the streams feed it: movimentos read
before their snapshots wait for them, and a deliverer SIGKILLed after reading a processo's
snapshot still delivers that processo's later movimentos after the restart (its table of matches).
Every delivery is verified by `standardwebhooks`; a processo that does not match gets nothing; more held
movimentos than `retidos_max` pause the reading of movimentos until their snapshots come."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from confluent_kafka import TopicPartition

from cli.stack import LocalStack
from protocolo.geracao import servico_na_geracao
from protocolo.kafka import make_consumer
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import Settings, WebhookSettings
from protocolo.topico_compactado import ler_tabela
from protocolo.webhooks import id_entrega
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import novo_nup, rng
from tests.fixtures.receptor import Receptor
from tests.fixtures.webhooks import (
    alvo_busca,
    movimento,
    novo_integrador,
    publicar_movimentos,
    publicar_snapshots,
    registrar_webhook,
    snapshot,
    veredito,
)

pytestmark = pytest.mark.slow

MARGEM_S = 8.0  # the test publishes the snapshots well within it after the movimentos


def _palavra() -> str:
    return "".join(rng.choices("bcdfghjklmnpqrstvwxz", k=4)).join(("qu", "ona"))


def _log(settings: Settings) -> str:
    return (settings.state_dir / "logs" / "webhooks.log").read_text(errors="replace")


def _comprometido_ate_o_fim(settings: Settings, topico: str) -> bool:
    grupo = settings.kafka.group(servico_na_geracao("webhooks", settings.streams.geracao))
    consumidor = make_consumer(settings.kafka, grupo)
    try:
        fins: dict[int, int] = {}
        for mensagem in ler_ate_o_fim(settings.kafka, topico):
            fins[mensagem.partition() or 0] = (mensagem.offset() or 0) + 1
        lidos = consumidor.committed([TopicPartition(topico, p) for p in fins], timeout=10)
        return all(tp.offset >= fins[tp.partition] for tp in lidos)
    finally:
        consumidor.close()


def test_movimentos_wait_for_their_snapshots_and_survive_a_deliverer_kill(
    settings_factory: Callable[..., Settings],
    receptor_factory: Callable[..., Receptor],
    entregador_factory: Callable[[Settings], LocalStack],
) -> None:
    cfg = settings_factory(
        webhooks=WebhookSettings(margem_alertas_s=MARGEM_S, retidos_max=4), carregar_referencia_exemplo=False
    )
    palavra = _palavra()
    receptor = receptor_factory()
    webhook, segredo = registrar_webhook(cfg, novo_integrador(cfg), receptor.url, alvo=alvo_busca(palavra))
    receptor.segredos.append(segredo)
    pilha = entregador_factory(cfg)
    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="verified")
    assert receptor.desafios[0]["hub.topic"] == f"alerta:“{palavra}”"
    casa, outro = novo_nup(), novo_nup()

    # Movimentos first, their snapshots later: they are held, then all go out once the snapshot is read.
    publicar_movimentos(cfg, [movimento(casa, n) for n in range(1, 6)] + [movimento(outro, 1)])
    # Six held movimentos, beyond retidos_max: the deliverer stops reading movimentos (and says so).
    eventually(lambda: "movimentos paused" in _log(cfg), timeout=30, what="the held movimentos")
    assert receptor.recebidas == [], "delivered before the processo's snapshot said it matches"
    publicar_snapshots(
        cfg,
        [
            snapshot(cfg, casa, 5, assunto=f"Pregão de {palavra.capitalize()}"),
            snapshot(cfg, outro, 1, assunto="Obras"),
        ],
    )
    primeiros = {id_entrega(movimento(casa, n)["id"], webhook.id) for n in range(1, 6)}
    eventually(lambda: receptor.ids_aceitos() == primeiros, timeout=30, what="the five held movimentos")
    assert "movimentos resumed" in _log(cfg)

    # The deliverer reads and commits the next snapshots, and is killed before their movimentos come.
    publicar_snapshots(
        cfg,
        [
            snapshot(cfg, casa, 7, assunto=f"Pregão de {palavra.capitalize()}"),
            snapshot(cfg, outro, 2, assunto="Obras"),
        ],
    )
    eventually(
        lambda: _comprometido_ate_o_fim(cfg, cfg.kafka.topics.processos),
        timeout=30,
        what="snapshots committed",
    )
    tabela = ler_tabela(cfg.kafka, cfg.kafka.topics.webhooks_casamentos, lambda v: v)
    assert set(tabela) == {casa.digitos}
    pilha.matar("webhooks")
    publicar_movimentos(cfg, [movimento(casa, 6), movimento(casa, 7), movimento(outro, 2)])
    pilha.reiniciar("webhooks")

    # After the restart it never reads those snapshots again: the table tells what the processo matches.
    todos = primeiros | {id_entrega(movimento(casa, n)["id"], webhook.id) for n in (6, 7)}
    eventually(lambda: receptor.ids_aceitos() == todos, timeout=60, what="the movimentos after the restart")
    time.sleep(MARGEM_S + 1.0)  # the other processo's movimento had every chance to go out
    assert receptor.ids_aceitos() == todos
    assert all(r.verificada for r in receptor.recebidas)
    assert {r.payload["data"]["nup"] for r in receptor.aceitas()} == {casa.formatado}
