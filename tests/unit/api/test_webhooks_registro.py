"""A registration's single target: nup, orgao, or alerta (accepted by the contract, not yet deliverable)."""

from __future__ import annotations

import pytest

from api.schemas_webhooks import WebhookCreate
from api.webhooks_registro import AlertasIndisponiveis, alvo_do_pedido
from protocolo.errors import InvalidNup, InvalidWebhook
from protocolo.webhooks import Alvo, TipoAlvo

URL = "https://e.org/wh"


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


def test_an_alert_target_is_refused_until_alert_matching_exists() -> None:
    with pytest.raises(AlertasIndisponiveis, match="ainda não estão disponíveis"):
        alvo_do_pedido(WebhookCreate(url=URL, alerta="al_1"))


def test_a_bad_nup_or_orgao_is_refused() -> None:
    with pytest.raises(InvalidNup):
        alvo_do_pedido(WebhookCreate(url=URL, nup="23037.001462/2021-66"))
    with pytest.raises(InvalidWebhook, match="orgao"):
        alvo_do_pedido(WebhookCreate(url=URL, orgao="26 000"))
