"""api.limites: token buckets that bound subscription requests per address and per IP."""

from __future__ import annotations

import pytest

from api.limites import LimiteExcedido, LimitesInscricao, LimiteTaxa
from protocolo.settings import InscricaoSettings

SEGREDO = b"segredo de teste"


def test_a_bucket_allows_its_capacity_then_tells_how_long_to_wait() -> None:
    limite = LimiteTaxa(capacidade=2, por_s=0.5)

    assert limite.consumir("a", 0.0) == 0 and limite.consumir("a", 0.0) == 0
    assert limite.consumir("a", 0.0) == pytest.approx(2.0)
    assert limite.consumir("b", 0.0) == 0  # other keys have their own bucket
    assert limite.consumir("a", 2.0) == 0  # refilled one token in 2 s


def test_a_bucket_never_fills_beyond_its_capacity_and_memory_is_bounded() -> None:
    limite = LimiteTaxa(capacidade=1, por_s=1.0, max_chaves=3)

    assert limite.consumir("a", 0.0) == 0
    assert limite.consumir("a", 1000.0) == 0 and limite.consumir("a", 1000.0) > 0
    for chave in "bcdef":
        limite.consumir(chave, 1000.0)
    assert len(limite._baldes) == 3


def test_subscription_limits_apply_per_address_and_per_ip() -> None:
    settings = InscricaoSettings(por_email=2, por_email_por_h=1, por_ip=3, por_ip_por_h=1)
    limites = LimitesInscricao(settings, SEGREDO)

    limites.verificar(ip="1.1.1.1", email="a@x.org", agora=0)
    limites.verificar(ip="2.2.2.2", email="a@x.org", agora=0)
    with pytest.raises(LimiteExcedido) as excecao:
        limites.verificar(ip="3.3.3.3", email="a@x.org", agora=0)
    assert excecao.value.segundos == 3600
    assert "Tente novamente em 3600 segundos" in str(excecao.value)

    limites.verificar(ip="9.9.9.9", email="b@x.org", agora=0)
    limites.verificar(ip="9.9.9.9", email="c@x.org", agora=0)
    limites.verificar(ip="9.9.9.9", email="d@x.org", agora=0)
    with pytest.raises(LimiteExcedido):
        limites.verificar(ip="9.9.9.9", email="e@x.org", agora=0)
