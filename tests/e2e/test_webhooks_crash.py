"""Crash test: SIGKILL the real deliverer while a delivery is in flight, restart it, count deliveries.

Every expected delivery must arrive, verified by `standardwebhooks`. The delivery in flight at the
kill reached the receiver but its answer never reached the deliverer: it is sent again after the
restart, with the same webhook-id, which is how a receiver recognises a repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from cli.stack import LocalStack
from protocolo.settings import Settings, WebhookSettings
from protocolo.webhooks import id_entrega
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import novo_nup
from tests.fixtures.receptor import Receptor
from tests.fixtures.webhooks import (
    movimento,
    novo_integrador,
    publicar_movimentos,
    registrar_webhook,
    veredito,
)

pytestmark = pytest.mark.slow

MOVIMENTOS = 20


def test_a_deliverer_killed_mid_delivery_loses_nothing_and_repeats_with_the_same_webhook_id(
    settings_factory: Callable[..., Settings],
    receptor_factory: Callable[..., Receptor],
    entregador_factory: Callable[[Settings], LocalStack],
) -> None:
    cfg = settings_factory(
        webhooks=WebhookSettings(espera_inicial_s=0.2, espera_max_s=1.0), carregar_referencia_exemplo=False
    )
    integrador = novo_integrador(cfg)
    receptor = receptor_factory(atraso_s=0.3)
    nup = novo_nup()
    webhook, segredo = registrar_webhook(cfg, integrador, receptor.url, nup=nup)
    receptor.segredos.append(segredo)
    pilha = entregador_factory(cfg)
    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="verified")

    movimentos = [movimento(nup, n) for n in range(1, MOVIMENTOS + 1)]
    publicar_movimentos(cfg, movimentos)
    eventually(lambda: len(receptor.aceitas()) >= 5, timeout=60, what="five deliveries before the kill")
    receptor.em_andamento.clear()
    assert receptor.em_andamento.wait(10), "no delivery in flight"
    pilha.matar("webhooks")  # mid-request: the receiver has the body, the deliverer never sees the answer
    antes = len(receptor.recebidas)
    pilha.reiniciar("webhooks")

    esperados = {id_entrega(m["id"], webhook.id) for m in movimentos}
    eventually(
        lambda: receptor.ids_aceitos() == esperados, timeout=90, what="every delivery after the restart"
    )
    assert antes < MOVIMENTOS
    contagem = Counter(r.webhook_id for r in receptor.aceitas())
    repetidas = {id_ for id_, n in contagem.items() if n > 1}
    print(f"deliveries={sum(contagem.values())} distinct={len(contagem)} repeated={len(repetidas)}")  # noqa: T201
    assert repetidas, "the delivery in flight at the kill must have been sent again"
    assert repetidas <= esperados  # a repeat is the same delivery: same webhook-id
    assert all(r.verificada for r in receptor.recebidas)
    # In order, apart from the repeats (one endpoint, one delivery at a time).
    vistos = list(dict.fromkeys(r.payload["data"]["id"] for r in receptor.aceitas()))
    assert vistos == [m["id"] for m in movimentos]
