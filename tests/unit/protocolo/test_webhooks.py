"""Webhook registrations: URLs accepted or refused, rotation overlaps, delivery ids, Avro round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from protocolo.avro import catalogo_padrao
from protocolo.errors import InvalidWebhook
from protocolo.webhooks import (
    Alvo,
    EstadoWebhook,
    SegredoSelado,
    Situacao,
    TipoAlvo,
    Veredito,
    Webhook,
    estado_from_avro,
    estado_to_avro,
    formatar_segredo,
    id_entrega,
    novo_segredo,
    rotacionar,
    situacao,
    validar_url,
    webhook_from_avro,
    webhook_to_avro,
)

AGORA = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "desenvolvimento"),
    [
        ("https://sistema.example.org/wh", False),
        ("https://sistema.example.org:8443/wh?fonte=protocolo", False),
        ("https://sistema.example.org/wh", True),
        ("http://127.0.0.1:8080/wh", True),
        ("http://[::1]:8080/wh", True),
        ("http://localhost/wh", True),
    ],
)
def test_https_urls_and_loopback_http_in_development_are_accepted(url: str, desenvolvimento: bool) -> None:
    assert validar_url(f"  {url} ", desenvolvimento=desenvolvimento) == url


@pytest.mark.parametrize(
    ("url", "desenvolvimento", "trecho"),
    [
        ("http://sistema.example.org/wh", True, "deve usar https"),
        ("http://127.0.0.1:8080/wh", False, "endereço público"),
        ("https://127.0.0.1/wh", False, "endereço público"),
        ("https://10.0.0.7/wh", False, "endereço público"),
        ("https://169.254.169.254/latest", False, "endereço público"),
        ("https://localhost/wh", False, "endereço público"),
        ("ftp://sistema.example.org/wh", True, "https://"),
        ("sistema.example.org/wh", True, "https://"),
        ("https://u:senha@sistema.example.org/wh", False, "usuário ou senha"),
        ("https://sistema.example.org/wh#x", False, "fragmento"),
        ("https://sistema.example.org:99999/wh", False, "URL inválida"),
        ("", False, "vazia"),
        ("https://e.org/" + "a" * 2000, False, "longa demais"),
    ],
)
def test_other_urls_are_refused_in_portuguese(url: str, desenvolvimento: bool, trecho: str) -> None:
    with pytest.raises(InvalidWebhook, match=trecho):
        validar_url(url, desenvolvimento=desenvolvimento)


def test_a_delivery_id_is_the_same_for_the_same_movimento_and_webhook_and_differs_otherwise() -> None:
    assert id_entrega("26000:1", "wh_a") == id_entrega("26000:1", "wh_a")
    assert (
        len({id_entrega("26000:1", "wh_a"), id_entrega("26000:2", "wh_a"), id_entrega("26000:1", "wh_b")})
        == 3
    )
    assert id_entrega("26000:1", "wh_a").startswith("msg_")


def test_a_secret_is_32_random_bytes_shown_in_the_standard_form() -> None:
    segredo = novo_segredo()
    assert len(segredo) == 32 and novo_segredo() != segredo
    assert formatar_segredo(b"\x00" * 3) == "whsec_AAAA"


def _webhook(*segredos: SegredoSelado) -> Webhook:
    return Webhook(
        "wh_1", "int1", "https://e.org/wh", Alvo(TipoAlvo.NUP, "23037001462202165"), segredos, AGORA
    )


def test_a_rotation_puts_the_new_secret_first_and_keeps_the_old_one_through_the_overlap() -> None:
    antigo, novo = SegredoSelado(b"a", AGORA), SegredoSelado(b"n", AGORA + timedelta(hours=1))
    rotacionado = rotacionar(
        _webhook(antigo), novo, agora=AGORA + timedelta(hours=1), sobreposicao=timedelta(hours=24)
    )

    assert [s.selado for s in rotacionado.vigentes(AGORA + timedelta(hours=2))] == [b"n", b"a"]
    assert [s.selado for s in rotacionado.vigentes(AGORA + timedelta(hours=26))] == [b"n"]


def test_rotating_twice_never_extends_an_older_secret_and_drops_expired_ones() -> None:
    a = SegredoSelado(b"a", AGORA)
    b = SegredoSelado(b"b", AGORA)
    c = SegredoSelado(b"c", AGORA)
    uma = rotacionar(_webhook(a), b, agora=AGORA, sobreposicao=timedelta(hours=1))
    duas = rotacionar(uma, c, agora=AGORA + timedelta(minutes=30), sobreposicao=timedelta(hours=24))
    expiracoes = {s.selado: s.expira_em for s in duas.segredos}

    assert expiracoes[b"a"] == AGORA + timedelta(hours=1)  # not pushed to 24 h by the second rotation
    assert expiracoes[b"c"] is None
    tres = rotacionar(
        duas, SegredoSelado(b"d", AGORA), agora=AGORA + timedelta(hours=2), sobreposicao=timedelta(0)
    )
    assert [s.selado for s in tres.segredos] == [b"d"]


def test_registrations_and_verdicts_round_trip_through_avro() -> None:
    catalogo = catalogo_padrao()
    webhook = _webhook(
        SegredoSelado(b"\x01xyz", AGORA, AGORA + timedelta(days=1)), SegredoSelado(b"\x01k", AGORA)
    )
    assert (
        webhook_from_avro(catalogo.decode("webhook", catalogo.encode("webhook", webhook_to_avro(webhook))))
        == webhook
    )
    estado = EstadoWebhook("wh_1", Veredito.DESATIVADO, AGORA, "falhou", 12)
    registro = catalogo.decode("webhook_estado", catalogo.encode("webhook_estado", estado_to_avro(estado)))
    assert estado_from_avro(registro) == estado


def test_the_owner_sees_pending_until_the_deliverer_judges() -> None:
    assert situacao(None) is Situacao.PENDENTE
    assert situacao(EstadoWebhook("w", Veredito.VERIFICADO, AGORA)) is Situacao.ATIVO
    assert situacao(EstadoWebhook("w", Veredito.RECUSADO, AGORA)) is Situacao.RECUSADO
    assert situacao(EstadoWebhook("w", Veredito.DESATIVADO, AGORA)) is Situacao.DESATIVADO
