"""The real deliverer process on the real broker, delivering to real local receivers over HTTP.

Receivers verify every delivery with `standardwebhooks`, the specification's reference library.
Registrations and movimentos are written to the topics exactly as the API and the streams write
them (those writers have their own tests); the deliverer is `python -m webhooks`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest

from cli.stack import porta_livre
from protocolo.cifra import Cofre
from protocolo.integradores import Integrador
from protocolo.settings import Settings, WebhookSettings
from protocolo.webhooks import (
    PROPOSITO_SEGREDOS,
    SegredoSelado,
    formatar_segredo,
    id_entrega,
    novo_segredo,
    rotacionar,
)
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import emails_para, novo_nup
from tests.fixtures.receptor import Receptor
from tests.fixtures.trabalhador import metricas
from tests.fixtures.webhooks import (
    gravar_registro,
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


def test_a_refused_challenge_leaves_the_webhook_refused_and_it_gets_nothing(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    nup = novo_nup()
    impostor = receptor_factory(recusar_desafio=True)
    dono = receptor_factory()
    recusado, _ = registrar_webhook(cfg, integrador, impostor.url, nup=nup)
    aceito, segredo = registrar_webhook(cfg, integrador, dono.url, nup=nup)
    dono.segredos.append(segredo)
    entregador_factory(cfg)

    eventually(lambda: veredito(cfg, recusado.id) == "RECUSADO", timeout=30, what="challenge refused")
    eventually(lambda: veredito(cfg, aceito.id) == "VERIFICADO", timeout=30, what="challenge passed")
    m = movimento(nup, 1)
    publicar_movimentos(cfg, [m])

    eventually(lambda: dono.ids_aceitos() == {id_entrega(m["id"], aceito.id)}, timeout=30, what="delivery")
    assert impostor.recebidas == [] and len(impostor.desafios) == 1


def test_failed_deliveries_are_retried_with_the_same_webhook_id(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    receptor = receptor_factory(falhar_proximas=2)
    nup = novo_nup()
    webhook, segredo = registrar_webhook(cfg, integrador, receptor.url, nup=nup)
    receptor.segredos.append(segredo)
    com_metricas = cfg.model_copy(deep=True)
    com_metricas.webhooks.metrics_port = porta_livre()
    entregador_factory(com_metricas)
    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="ownership verified")

    m = movimento(nup, 1)
    publicar_movimentos(cfg, [m])

    eventually(lambda: len(receptor.aceitas()) == 1, timeout=30, what="the third attempt accepted")
    tentativas = receptor.recebidas
    assert [r.status for r in tentativas] == [503, 503, 204]
    assert {r.webhook_id for r in tentativas} == {id_entrega(m["id"], webhook.id)}
    assert all(r.verificada for r in tentativas)  # every attempt signed anew, every signature valid
    assert veredito(cfg, webhook.id) == "VERIFICADO"  # two failures are far from disabling it
    amostras = metricas(com_metricas.webhooks.metrics_port)
    assert amostras['protocolo_webhooks_tentativas_total{resultado="falha"}'] == 2
    assert amostras['protocolo_webhooks_tentativas_total{resultado="entregue"}'] == 1


def test_a_slow_receiver_does_not_delay_another(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    lento = receptor_factory(atraso_s=1.5)
    rapido = receptor_factory()
    nup = novo_nup()
    wh_lento, segredo_lento = registrar_webhook(cfg, integrador, lento.url, nup=nup)
    wh_rapido, segredo_rapido = registrar_webhook(cfg, integrador, rapido.url, nup=nup)
    lento.segredos.append(segredo_lento)
    rapido.segredos.append(segredo_rapido)
    entregador_factory(cfg)
    for webhook in (wh_lento, wh_rapido):
        eventually(lambda w=webhook: veredito(cfg, w.id) == "VERIFICADO", timeout=30, what="verified")

    movimentos = [movimento(nup, n) for n in range(1, 6)]
    publicar_movimentos(cfg, movimentos)

    eventually(lambda: len(rapido.aceitas()) == 5, timeout=30, what="the fast receiver has all five")
    # At that moment the slow one (1.5 s per delivery, one at a time) is still far behind.
    assert len(lento.aceitas()) < 5
    eventually(lambda: len(lento.aceitas()) == 5, timeout=60, what="the slow receiver catches up")
    assert [r.payload["data"]["id"] for r in lento.aceitas()] == [m["id"] for m in movimentos]  # in order


def test_a_dead_endpoint_is_disabled_after_the_failure_limit_and_its_owner_is_emailed(
    cfg: Settings,
    receptor_factory: Callable[..., Receptor],
    entregador_factory: Callable[..., object],
    mail_dir: Path,
) -> None:
    contato = f"dono-{novo_nup().digitos}@integrador.example"
    integrador = novo_integrador(cfg, email=contato)
    morto = receptor_factory(sempre_falhar=True)
    vivo = receptor_factory()
    nup = novo_nup()
    wh_morto, _ = registrar_webhook(cfg, integrador, morto.url, nup=nup)
    wh_vivo, segredo = registrar_webhook(cfg, integrador, vivo.url, nup=nup)
    vivo.segredos.append(segredo)
    entregador_factory(cfg)
    for webhook in (wh_morto, wh_vivo):
        eventually(lambda w=webhook: veredito(cfg, w.id) == "VERIFICADO", timeout=30, what="verified")

    publicar_movimentos(cfg, [movimento(nup, 1), movimento(nup, 2)])

    eventually(lambda: veredito(cfg, wh_morto.id) == "DESATIVADO", timeout=30, what="disabled")
    assert len(morto.recebidas) == RAPIDO.falhas_max
    avisos = eventually(lambda: emails_para(mail_dir, contato), timeout=30, what="the owner's notice")
    assert len(avisos) == 1 and wh_morto.url in str(avisos[0]["Subject"])
    texto = avisos[0].get_content()
    assert wh_morto.id in texto and f"{RAPIDO.falhas_max} tentativas" in texto

    # Disabled: a later movimento goes to the live endpoint only.
    terceiro = movimento(nup, 3)
    publicar_movimentos(cfg, [terceiro])
    id_terceiro = id_entrega(terceiro["id"], wh_vivo.id)
    eventually(lambda: id_terceiro in vivo.ids_aceitos(), timeout=30, what="delivery")
    assert len(morto.recebidas) == RAPIDO.falhas_max


def test_an_orgao_webhook_gets_every_processo_of_that_orgao_only(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    receptor = receptor_factory()
    webhook, segredo = registrar_webhook(cfg, integrador, receptor.url, orgao="26000")
    receptor.segredos.append(segredo)
    entregador_factory(cfg)
    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="verified")

    deste = [movimento(novo_nup(), 1), movimento(novo_nup(), 1)]
    de_outro = movimento(novo_nup(), 1, orgao="36000")
    publicar_movimentos(cfg, [*deste, de_outro])

    esperados = {id_entrega(m["id"], webhook.id) for m in deste}
    eventually(lambda: receptor.ids_aceitos() == esperados, timeout=30, what="both processos of 26000")
    assert all(r.payload["data"]["orgao"] == "26000" for r in receptor.recebidas)


def _barreira(cfg: Settings, integrador: Integrador, receptor_factory: Callable[..., Receptor]) -> None:
    """Return once the deliverer has read every registration written so far.

    The registrations topic has one partition, read in order: once the deliverer checks a webhook
    registered now, it has also read every earlier record (a rotation, say).
    """
    sentinela = receptor_factory()
    registrar_webhook(cfg, integrador, sentinela.url, orgao="0")
    eventually(lambda: sentinela.desafios, timeout=30, what="the deliverer caught up with the registrations")


def test_after_a_rotation_deliveries_carry_both_signatures_until_the_overlap_ends(
    cfg: Settings, receptor_factory: Callable[..., Receptor], entregador_factory: Callable[..., object]
) -> None:
    integrador = novo_integrador(cfg)
    so_antigo = receptor_factory()
    nup = novo_nup()
    webhook, antigo = registrar_webhook(cfg, integrador, so_antigo.url, nup=nup)
    so_antigo.segredos.append(antigo)
    entregador_factory(cfg)
    eventually(lambda: veredito(cfg, webhook.id) == "VERIFICADO", timeout=30, what="verified")

    # The rotation exactly as the API writes it: the new secret first, the old one until the overlap ends.
    cofre = Cofre(cfg.secret_key.get_secret_value().encode(), PROPOSITO_SEGREDOS)
    bruto = novo_segredo()
    agora = datetime.now(UTC)
    novo = SegredoSelado(cofre.selar(bruto, vinculo=webhook.id), agora)
    gravar_registro(cfg, rotacionar(webhook, novo, agora=agora, sobreposicao=timedelta(hours=1)))
    _barreira(cfg, integrador, receptor_factory)
    m = movimento(nup, 1)
    publicar_movimentos(cfg, [m])

    eventually(lambda: so_antigo.aceitas(), timeout=30, what="delivery verified with the old secret")
    recebida = so_antigo.aceitas()[0]
    assert len(recebida.cabecalhos["webhook-signature"].split(" ")) == 2
    so_novo = Receptor(segredos=[formatar_segredo(bruto)])
    assert so_novo.verificar(recebida.corpo, recebida.cabecalhos)

    # Overlap over: the old secret is gone and only the new one signs.
    fim = rotacionar(webhook, novo, agora=agora, sobreposicao=timedelta(0))
    gravar_registro(cfg, fim)
    _barreira(cfg, integrador, receptor_factory)
    so_antigo.segredos.append(formatar_segredo(bruto))
    segundo = movimento(nup, 2)
    publicar_movimentos(cfg, [segundo])
    id_segundo = id_entrega(segundo["id"], webhook.id)
    eventually(lambda: id_segundo in so_antigo.ids_aceitos(), timeout=30, what="second delivery")
    ultima = next(r for r in so_antigo.aceitas() if r.webhook_id == id_segundo)
    assert len(ultima.cabecalhos["webhook-signature"].split(" ")) == 1
    assert not Receptor(segredos=[antigo]).verificar(ultima.corpo, ultima.cabecalhos)
