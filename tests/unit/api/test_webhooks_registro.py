"""A registration's single target: nup, orgao, or alerta (a saved search, as the search API reads it)."""

from __future__ import annotations

import json

import pytest

from api.schemas_webhooks import WebhookCreate
from api.webhooks_registro import alvo_do_pedido as _alvo_do_pedido
from protocolo.alertas.consulta import TipoTermo, consulta_de_json
from protocolo.errors import InvalidNup, InvalidWebhook
from protocolo.masking import hash_documento
from protocolo.webhooks import Alvo, TipoAlvo, descricao_alvo, topico_alvo

URL = "https://e.org/wh"
SEGREDO = b"k1-segredo-de-teste"


def alvo_do_pedido(pedido: WebhookCreate) -> Alvo:
    return _alvo_do_pedido(
        pedido, segredo=SEGREDO, nome_orgao=lambda c: "Ministério da Educação" if c else None
    )


def test_a_nup_target_is_kept_as_digits_and_an_orgao_as_its_code() -> None:
    assert alvo_do_pedido(WebhookCreate(url=URL, nup="23037.001462/2021-65")) == Alvo(
        TipoAlvo.NUP, "23037001462202165"
    )
    assert alvo_do_pedido(WebhookCreate(url=URL, orgao=" 26000 ")) == Alvo(TipoAlvo.ORGAO, "26000")


@pytest.mark.parametrize(
    "campos",
    [
        {},
        {"nup": "23037.001462/2021-65", "orgao": "26000"},
        {"orgao": "  "},
        {"orgao": "26000", "alerta": "a"},
    ],
)
def test_exactly_one_target_is_required(campos: dict[str, str]) -> None:
    with pytest.raises(InvalidWebhook, match="exatamente um alvo"):
        alvo_do_pedido(WebhookCreate(url=URL, **campos))


def test_an_alert_target_is_the_search_as_the_search_api_reads_it() -> None:
    alvo = alvo_do_pedido(WebhookCreate(url=URL, alerta="q=licitação OU pregão&orgao=26000&ano=2024"))

    assert alvo.tipo is TipoAlvo.ALERTA
    consulta = consulta_de_json(json.loads(alvo.valor)["consulta"])
    assert [[t.texto for t in grupo] for grupo in consulta.grupos] == [["licitação", "pregão"]]
    assert (consulta.orgao, consulta.ano) == ("26000", 2024)
    assert descricao_alvo(alvo) == "“licitação OU pregão”, órgão Ministério da Educação, autuados em 2024"
    assert topico_alvo(alvo) == f"alerta:{descricao_alvo(alvo)}"
    # A portal results link says the same; its sort and page are not part of the search.
    link = (
        "https://protocolo.gov.br/?q=licita%C3%A7%C3%A3o+OU+preg%C3%A3o&orgao=26000&ano=2024&ordem=recentes"
    )
    assert alvo_do_pedido(WebhookCreate(url=URL, alerta=link)) == alvo


def test_an_alert_target_holds_a_cpf_only_as_its_keyed_hash_and_masked() -> None:
    alvo = alvo_do_pedido(WebhookCreate(url=URL, alerta="documento=529.982.247-25&q=52998224725"))

    assert "52998224725" not in alvo.valor and "529.982.247-25" not in alvo.valor
    consulta = consulta_de_json(json.loads(alvo.valor)["consulta"])
    assert consulta.documento_hash == hash_documento(SEGREDO, "52998224725")
    assert [t.tipo for grupo in consulta.grupos for t in grupo] == [TipoTermo.DOCUMENTO]
    assert "***" in descricao_alvo(alvo)


@pytest.mark.parametrize(
    ("alerta", "trecho"),
    [
        ("licitação", "informe a busca como na URL"),
        ("q=obras&pagina=2", "parâmetro de busca desconhecido: pagina"),
        ("q=obras&q=pontes", "o parâmetro q aparece mais de uma vez"),
        ("ano=dois mil", "alerta: ano"),
        ("desde=31/02/2024", "alerta: desde"),
    ],
)
def test_a_bad_alert_search_is_refused_in_portuguese(alerta: str, trecho: str) -> None:
    with pytest.raises(InvalidWebhook, match=trecho):
        alvo_do_pedido(WebhookCreate(url=URL, alerta=alerta))


def test_a_bad_nup_or_orgao_is_refused() -> None:
    with pytest.raises(InvalidNup):
        alvo_do_pedido(WebhookCreate(url=URL, nup="23037.001462/2021-66"))
    with pytest.raises(InvalidWebhook, match="orgao"):
        alvo_do_pedido(WebhookCreate(url=URL, orgao="26 000"))
