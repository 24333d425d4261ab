"""Signatures checked with `standardwebhooks`, the specification's reference library."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.assinatura import cabecalhos

ANTIGO, NOVO = b"a" * 32, b"n" * 32
CORPO = b'{"data":{"id":"26000:1"},"type":"tramitacao.movimento","versao":1}'


def _whsec(segredo: bytes) -> str:
    return "whsec_" + base64.b64encode(segredo).decode()


def test_the_reference_library_verifies_a_delivery() -> None:
    assinados = cabecalhos("msg_1", int(time.time()), CORPO, [NOVO])

    assert Webhook(_whsec(NOVO)).verify(CORPO, assinados) == {
        "data": {"id": "26000:1"},
        **{"type": "tramitacao.movimento", "versao": 1},
    }
    assert assinados["webhook-id"] == "msg_1" and assinados["webhook-signature"].startswith("v1,")


def test_during_a_rotation_either_secret_verifies() -> None:
    assinados = cabecalhos("msg_1", int(time.time()), CORPO, [NOVO, ANTIGO])

    assert len(assinados["webhook-signature"].split(" ")) == 2
    for segredo in (NOVO, ANTIGO):
        Webhook(_whsec(segredo)).verify(CORPO, assinados)


@pytest.mark.parametrize(
    "estragar",
    [
        lambda h, c: (h | {"webhook-id": "msg_2"}, c),
        lambda h, c: (h, c + b" "),
        lambda h, c: (h | {"webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}, c),
    ],
    ids=["other id", "other body", "other timestamp"],
)
def test_a_changed_delivery_does_not_verify(estragar: object) -> None:
    assinados = cabecalhos("msg_1", int(time.time()), CORPO, [NOVO])
    h, c = estragar(assinados, CORPO)  # type: ignore[operator]
    with pytest.raises(WebhookVerificationError):
        Webhook(_whsec(NOVO)).verify(c, h)


def test_an_old_timestamp_is_refused_by_receivers() -> None:
    assinados = cabecalhos("msg_1", int(time.time()) - 3600, CORPO, [NOVO])
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(_whsec(NOVO)).verify(CORPO, assinados)


def test_a_delivery_needs_a_secret() -> None:
    with pytest.raises(ValueError):
        cabecalhos("msg_1", 0, CORPO, [])
