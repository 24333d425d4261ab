"""The real deliverer process on the real broker, delivering to real local receivers over HTTP.

Receivers verify every delivery with `standardwebhooks`, the specification's reference library.
Registrations and movimentos are written to the topics exactly as the API and the streams write
them (those writers have their own tests); the deliverer is `python -m webhooks`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema_rs
import pytest

from protocolo.settings import Settings, WebhookSettings
from protocolo.webhooks import id_entrega
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import emails_para, novo_nup
from tests.fixtures.receptor import Receptor
from tests.fixtures.webhooks import (
    movimento,
    novo_integrador,
    publicar_movimentos,
    registrar_webhook,
    veredito,
)

pytestmark = pytest.mark.slow

ESQUEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "schemas" / "json" / "webhook-movimento.v1.json").read_text()
)

# Short waits so retries and disabling happen within a test.
RAPIDO = WebhookSettings(espera_inicial_s=0.2, espera_max_s=1.0, falhas_max=4, timeout_s=5.0)


@pytest.fixture
def cfg(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory(webhooks=RAPIDO, carregar_referencia_exemplo=False)


def test_challenge_echoed_then_signed_deliveries_arrive_with_ids_from_movimento_and_webhook(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    receptor = receptor_factory()
    nup = novo_nup()
    webhook, segredo = registrar_webhook(cfg, integrador, receptor.url, nup=nup)
    receptor.segredos.append(segredo)
    entregador_factory(cfg)

    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="ownership verified")
    assert len(receptor.desafios) == 1
    assert receptor.desafios[0]["hub.mode"] == "subscribe"
    assert receptor.desafios[0]["hub.topic"] == f"nup:{nup.digitos}"

    movimentos = [movimento(nup, n) for n in (1, 2, 3)]
    outro = movimento(novo_nup(), 1)  # a processo nobody follows
    publicar_movimentos(cfg, [*movimentos, outro])

    esperados = {id_entrega(m["id"], webhook.id) for m in movimentos}
    eventually(lambda: receptor.ids_aceitos() == esperados, timeout=30, what="three deliveries")
    validador = jsonschema_rs.validator_for(ESQUEMA)
    for recebida in receptor.aceitas():
        assert recebida.verificada
        validador.validate(recebida.payload)
        assert recebida.payload["data"]["nup"] == nup.formatado
    assert len(receptor.recebidas) == 3
