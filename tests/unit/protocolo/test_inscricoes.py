"""protocolo.inscricoes: a subscription's life (request, confirmation, filter, bounces), its Avro record."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import fastavro
import pytest

from protocolo.avro import MAGIC, SCHEMAS_DIR, catalogo_padrao
from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.inscricoes import (
    Devolucao,
    EstadoInscricao,
    Inscricao,
    chave_atual,
    chave_inscricao,
    chaves_possiveis,
    com_devolucao,
    confirmar,
    inscricao_from_avro,
    inscricao_to_avro,
    marcar_devolucao,
    normalizar_operacoes,
    pedir,
    rechavear,
)

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


NUP = "23037001462202165"


SEGREDO = b"segredo de teste"


CHAVE = chave_inscricao(SEGREDO, NUP, "maria@example.org")


REENVIO = timedelta(minutes=15)


def _inscricao(estado: EstadoInscricao, **campos: object) -> Inscricao:
    base = Inscricao(CHAVE, NUP, "maria@example.org", estado, T0, solicitada_em=T0, atualizada_em=T0)
    return Inscricao(**{**base.__dict__, **campos})  # type: ignore[arg-type]


def _pedir(existente: Inscricao | None, agora: datetime = T0) -> Inscricao | None:
    return pedir(
        existente,
        chave=CHAVE,
        nup=NUP,
        email=" Maria@Example.org ",
        operacoes=None,
        agora=agora,
        reenvio=REENVIO,
    )


def test_the_key_hides_the_address_and_ignores_case_and_spaces() -> None:
    assert CHAVE == chave_inscricao(SEGREDO, NUP, "  MARIA@example.ORG ")
    assert CHAVE != chave_inscricao(b"outro segredo", NUP, "maria@example.org")
    assert "maria" not in CHAVE and len(CHAVE) == 64


def test_a_new_request_is_pending_with_a_normalised_address() -> None:
    novo = _pedir(None)

    assert novo is not None
    assert (novo.estado, novo.email, novo.solicitada_em) == (
        EstadoInscricao.PENDENTE,
        "maria@example.org",
        T0,
    )
    assert not novo.ativa


@pytest.mark.parametrize(
    ("existente", "depois", "escreve"),
    [
        (EstadoInscricao.CONFIRMADA, timedelta(days=30), False),
        (EstadoInscricao.PENDENTE, timedelta(minutes=5), False),
        (EstadoInscricao.PENDENTE, timedelta(minutes=16), True),
        (EstadoInscricao.DEVOLVENDO, timedelta(minutes=1), True),
    ],
    ids=["confirmed stays", "pending within window", "pending after window", "bouncing starts over"],
)
def test_asking_again_writes_only_what_the_state_allows(
    existente: EstadoInscricao, depois: timedelta, escreve: bool
) -> None:
    novo = _pedir(_inscricao(existente), agora=T0 + depois)

    assert (novo is not None) is escreve
    if novo is not None:
        assert novo.estado is EstadoInscricao.PENDENTE and novo.solicitada_em == T0 + depois


def test_confirming_moves_pending_to_confirmed_and_is_idempotent() -> None:
    confirmada = confirmar(_inscricao(EstadoInscricao.PENDENTE), T0 + timedelta(hours=1))

    assert confirmada is not None and confirmada.ativa
    assert confirmada.atualizada_em == T0 + timedelta(hours=1)
    assert confirmar(confirmada, T0) is None


@pytest.mark.parametrize(
    "existente", [None, _inscricao(EstadoInscricao.DEVOLVENDO)], ids=["gone", "bouncing"]
)
def test_a_subscription_that_is_not_pending_cannot_be_confirmed(existente: Inscricao | None) -> None:
    with pytest.raises(ValueError):
        confirmar(existente, T0)


def test_the_operation_filter_decides_what_a_confirmed_subscription_receives() -> None:
    filtrada = _inscricao(
        EstadoInscricao.CONFIRMADA, operacoes=normalizar_operacoes(["envio", "ARQUIVAMENTO"])
    )

    assert filtrada.recebe("ENVIO") and filtrada.recebe("ARQUIVAMENTO")
    assert not filtrada.recebe("RECEBIMENTO")
    assert _inscricao(EstadoInscricao.CONFIRMADA).recebe("RECEBIMENTO")
    assert not _inscricao(EstadoInscricao.PENDENTE).recebe("ENVIO")
    assert normalizar_operacoes([]) is None
    with pytest.raises(ValueError, match="operação desconhecida: VOAR"):
        normalizar_operacoes(["VOAR"])


MARCADA = T0 + timedelta(days=2)


_MARCA = Devolucao(CHAVE, T0, 3, MARCADA)


_CONFIRMADA = _inscricao(EstadoInscricao.CONFIRMADA)


@pytest.mark.parametrize(
    ("inscricao", "devolucao", "estado"),
    [
        pytest.param(_CONFIRMADA, _MARCA, EstadoInscricao.DEVOLVENDO, id="mark for the current record"),
        pytest.param(
            _inscricao(EstadoInscricao.PENDENTE),
            _MARCA,
            EstadoInscricao.DEVOLVENDO,
            id="a pending record too",
        ),
        pytest.param(_CONFIRMADA, None, EstadoInscricao.CONFIRMADA, id="no mark"),
        pytest.param(None, _MARCA, None, id="cancelled (tombstone): the mark resurrects nothing"),
        pytest.param(
            _inscricao(EstadoInscricao.PENDENTE, atualizada_em=T0 + timedelta(days=3)),
            _MARCA,
            EstadoInscricao.PENDENTE,
            id="asked again after the judged record: the API wins",
        ),
        pytest.param(
            _inscricao(EstadoInscricao.CONFIRMADA, atualizada_em=T0 + timedelta(days=1)),
            _MARCA,
            EstadoInscricao.CONFIRMADA,
            id="confirmed again after the judged record",
        ),
        pytest.param(
            _CONFIRMADA,
            Devolucao(CHAVE, T0 + timedelta(microseconds=400), 3, MARCADA),
            EstadoInscricao.DEVOLVENDO,
            id="compared at the topics' millisecond precision",
        ),
        pytest.param(
            _inscricao(EstadoInscricao.CONFIRMADA, atualizada_em=None),
            Devolucao(CHAVE, None, 3, MARCADA),
            EstadoInscricao.DEVOLVENDO,
            id="a v1 record without atualizada_em",
        ),
        pytest.param(
            _inscricao(EstadoInscricao.DEVOLVENDO),
            _MARCA,
            EstadoInscricao.DEVOLVENDO,
            id="an old DEVOLVENDO record",
        ),
    ],
)
def test_a_bounce_mark_counts_only_for_the_record_it_judged(
    inscricao: Inscricao | None, devolucao: Devolucao | None, estado: EstadoInscricao | None
) -> None:
    atual = com_devolucao(inscricao, devolucao)

    assert (atual.estado if atual else None) is estado
    if inscricao is not None and estado is EstadoInscricao.DEVOLVENDO and inscricao.estado is not estado:
        assert atual is not None and atual.atualizada_em == MARCADA and not atual.ativa


def test_a_bouncing_subscriber_who_asks_again_starts_over_and_the_old_mark_no_longer_applies() -> None:
    marca = marcar_devolucao(_CONFIRMADA, recusas=3, agora=MARCADA)
    devolvendo = com_devolucao(_CONFIRMADA, marca)

    novo = _pedir(devolvendo, agora=MARCADA + timedelta(minutes=1))

    assert marca == _MARCA
    assert novo is not None and novo.estado is EstadoInscricao.PENDENTE
    assert com_devolucao(novo, marca) == novo
    with pytest.raises(ValueError, match="não está pendente"):
        confirmar(devolvendo, MARCADA)


def test_a_subscription_round_trips_through_its_avro_record() -> None:
    inscricao = _inscricao(EstadoInscricao.CONFIRMADA, operacoes=frozenset({"ENVIO"}))
    catalogo = catalogo_padrao()

    lida = inscricao_from_avro(
        CHAVE, catalogo.decode("inscricao", catalogo.encode("inscricao", inscricao_to_avro(inscricao)))
    )

    assert lida == inscricao


def test_a_v1_record_reads_as_confirmed_without_filter() -> None:
    v1 = fastavro.parse_schema(json.loads((SCHEMAS_DIR / "inscricao.v1.avsc").read_text()), _force=True)
    corpo = io.BytesIO()
    fastavro.schemaless_writer(corpo, v1, {"nup": NUP, "email": "maria@example.org", "criada_em": T0})
    cabecalho = bytes.fromhex(
        fastavro.schema.fingerprint(fastavro.schema.to_parsing_canonical_form(v1), "CRC-64-AVRO")
    )

    registro = catalogo_padrao().decode("inscricao", MAGIC + cabecalho + corpo.getvalue())

    inscricao = inscricao_from_avro(CHAVE, registro)
    assert inscricao.estado is EstadoInscricao.CONFIRMADA and inscricao.operacoes is None


K1 = ChaveSecreta("k1", b"segredo velho")
K2 = ChaveSecreta("k2", b"segredo novo")


def test_a_subscription_key_names_its_key_and_reveals_neither_nup_nor_address() -> None:
    chave = chave_inscricao(K2, NUP, " Maria@Example.org ")
    assert chave == "k2-" + chave_inscricao(b"segredo novo", NUP, "maria@example.org")
    assert NUP not in chave and "maria" not in chave


def test_a_subscription_is_looked_for_under_every_key_of_the_ring_current_first() -> None:
    chaveiro = Chaveiro([K2, K1, ChaveSecreta("k0", SEGREDO)])
    assert chaves_possiveis(chaveiro, NUP, "maria@example.org") == [
        chave_inscricao(K2, NUP, "maria@example.org"),
        chave_inscricao(K1, NUP, "maria@example.org"),
        chave_inscricao(ChaveSecreta("k0", SEGREDO), NUP, "maria@example.org"),
        CHAVE,  # made before key ids, with the k0 secret
    ]


def test_rekey_moves_a_subscription_to_the_current_key_keeping_its_state() -> None:
    chaveiro = Chaveiro([K2, K1])
    velha = Inscricao(
        chave_inscricao(K1, NUP, "maria@example.org"),
        NUP,
        "maria@example.org",
        EstadoInscricao.DEVOLVENDO,
        T0,
        operacoes=frozenset({"ENVIO"}),
        atualizada_em=T0,
    )
    movida = rechavear(velha, chaveiro)
    assert movida is not None and chave_atual(chaveiro, movida.chave)
    assert movida.chave == chave_inscricao(K2, NUP, "maria@example.org")
    assert (movida.estado, movida.operacoes, movida.atualizada_em) == (velha.estado, velha.operacoes, T0)
    assert rechavear(movida, chaveiro) is None


def test_rekey_moves_a_subscription_made_before_key_ids() -> None:
    chaveiro = Chaveiro([K2, ChaveSecreta("k0", SEGREDO)])
    velha = Inscricao(CHAVE, NUP, "maria@example.org", EstadoInscricao.CONFIRMADA, T0)
    assert not chave_atual(chaveiro, CHAVE)
    assert rechavear(velha, chaveiro) == replace(velha, chave=chave_inscricao(K2, NUP, "maria@example.org"))
