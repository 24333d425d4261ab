"""Routing, backoff and the disabling threshold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from protocolo.webhooks import Alvo, EstadoWebhook, TipoAlvo, Veredito, Webhook
from webhooks.politica import Roteador, deve_desativar, proxima_espera

AGORA = datetime(2026, 12, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("falhas", "espera"),
    [(1, 5.0), (2, 10.0), (3, 20.0), (9, 1280.0), (10, 2560.0), (11, 3600.0), (40, 3600.0)],
)
def test_backoff_doubles_from_the_first_wait_up_to_the_cap(falhas: int, espera: float) -> None:
    assert proxima_espera(falhas, inicial_s=5.0, maxima_s=3600.0) == espera


def test_an_endpoint_is_disabled_at_the_limit_not_before() -> None:
    assert not deve_desativar(11, falhas_max=12) and deve_desativar(12, falhas_max=12)


def _webhook(id_: str, tipo: TipoAlvo, valor: str) -> Webhook:
    return Webhook(id_, "i", f"https://e.org/{id_}", Alvo(tipo, valor), (), AGORA)


def test_a_movimento_goes_to_the_verified_webhooks_of_its_nup_or_orgao_only() -> None:
    webhooks = {
        w.id: w
        for w in (
            _webhook("nup", TipoAlvo.NUP, "111"),
            _webhook("orgao", TipoAlvo.ORGAO, "26000"),
            _webhook("outro", TipoAlvo.NUP, "222"),
            _webhook("pendente", TipoAlvo.NUP, "111"),
            _webhook("recusado", TipoAlvo.NUP, "111"),
            _webhook("desativado", TipoAlvo.ORGAO, "26000"),
        )
    }
    estados = {
        id_: EstadoWebhook(id_, veredito, AGORA)
        for id_, veredito in (
            ("nup", Veredito.VERIFICADO),
            ("orgao", Veredito.VERIFICADO),
            ("outro", Veredito.VERIFICADO),
            ("recusado", Veredito.RECUSADO),
            ("desativado", Veredito.DESATIVADO),
        )
    }
    destinos = Roteador(webhooks, estados).destinos({"nup": "111", "orgao": "26000"})
    assert sorted(w.id for w in destinos) == ["nup", "orgao"]
    assert Roteador(webhooks, estados).destinos({"nup": "333", "orgao": "1"}) == []
