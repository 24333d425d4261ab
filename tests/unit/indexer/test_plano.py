"""The indexer's batch plan (indexer/plano.py): messages in; actions, deletes and dead letters out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from indexer.plano import (
    PlanoLote,
    Rejeitado,
    cartas_rejeitados,
    nups_dos_movimentos,
    ocultos_no_indice,
    planejar_lote,
    sem_ocultos_no_indice,
)
from protocolo.avro import catalogo_padrao
from protocolo.entrada import Entrada
from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.referencia import carregar_referencia
from streams.projection import movimento_record, snapshot_record

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
AGORA = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)
NUP = "23037001462202165"
OUTRO = "60041001093202097"
PROCESSOS, MOVIMENTOS = "t.processos", "t.movimentos"
CATALOGO = catalogo_padrao()


def _evento(n: int, nup: str, nivel: NivelAcesso = NivelAcesso.PUBLICO) -> Evento:
    return Evento(
        id=f"SEI-{nup[-4:]}-{n}",
        orgao="23000",
        nup=nup,
        tipo=TipoProtocolo.PROCESSO,
        operacao=Operacao.AUTUACAO if n == 1 else Operacao.ENVIO,
        ocorrido_em=T0 + timedelta(hours=n),
        nivel_acesso=nivel,
        unidade_origem=Unidade("2300001", "PROT", "Protocolo Central"),
        unidade_destino=None if n == 1 else Unidade("2300002", "CGLIC", "Coordenação de Licitações"),
        assunto="Aquisição de material" if n == 1 else None,
    )


def _versao(nup: str, n: int, *, oculto: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot and movimento records the streams emit at version `n` of `nup`."""
    eventos = [_evento(i, nup) for i in range(1, n + 1)]
    if oculto:
        eventos[-1] = replace(eventos[-1], nivel_acesso=NivelAcesso.SIGILOSO)
    referencia = carregar_referencia()
    processo = fold_processo(eventos)
    snapshot = snapshot_record(processo, referencia, segredo=b"s", restrito_publico=False)
    return snapshot, movimento_record(eventos[-1], processo, referencia)


class Pista:
    """Numbers messages by topic as a partition would, and keeps what each was."""

    def __init__(self) -> None:
        self.offsets: dict[str, int] = {}

    def entrada(self, topico: str, nome: str | None, registro: Any) -> Entrada:
        offset = self.offsets.get(topico, 0)
        self.offsets[topico] = offset + 1
        valor = CATALOGO.encode(nome, registro) if nome else registro
        return Entrada(topico, 0, offset, f"k{offset}".encode(), valor)


def _plano(entradas: list[Entrada]) -> PlanoLote:
    return planejar_lote(
        entradas,
        catalogo=CATALOGO,
        topico_processos=PROCESSOS,
        alias_processos="p",
        alias_movimentos="m",
        agora=AGORA,
    )


def _lote(*itens: tuple[str, Any]) -> list[Entrada]:
    """Messages from (kind, record): 'processo' and 'movimento' are encoded, 'lixo' sent as bytes."""
    pista = Pista()
    topicos = {"processo": PROCESSOS, "movimento": MOVIMENTOS, "lixo": MOVIMENTOS}
    return [pista.entrada(topicos[tipo], None if tipo == "lixo" else tipo, r) for tipo, r in itens]


S1, M1 = _versao(NUP, 1)
S2, M2 = _versao(NUP, 2)
S3, M3 = _versao(NUP, 3, oculto=True)
O1, OM1 = _versao(OUTRO, 1)


@pytest.mark.parametrize(
    ("lote", "acoes", "ocultos", "cartas"),
    [
        pytest.param([], [], {}, [], id="empty batch"),
        pytest.param(
            [("processo", S1), ("movimento", M1)],
            [("p", NUP, 1), ("m", M1["id"], None)],
            {},
            [],
            id="one each",
        ),
        pytest.param(
            [("processo", S2), ("processo", S1)],
            [("p", NUP, 2)],
            {},
            [],
            id="newest snapshot only, any order",
        ),
        pytest.param(
            [("movimento", M1), ("movimento", M1)],
            [("m", M1["id"], None)],
            {},
            [],
            id="a resent movimento once",
        ),
        pytest.param(
            [("processo", S2), ("movimento", M2), ("processo", S3), ("movimento", OM1), ("processo", O1)],
            [("p", NUP, 3), ("p", OUTRO, 1), ("m", OM1["id"], None)],
            {NUP: 3},
            [],
            id="hidden processo: tombstone, its movimentos deleted, others kept",
        ),
        pytest.param(
            [("lixo", b"\x00not avro"), ("movimento", M1)],
            [("m", M1["id"], None)],
            {},
            [("MENSAGEM_CORROMPIDA", MOVIMENTOS, 0)],
            id="undecodable message is a dead letter, the batch goes on",
        ),
        pytest.param(
            [("processo", S1), ("lixo", b"\xc3\x01garbage")],
            [("p", NUP, 1)],
            {},
            [("MENSAGEM_CORROMPIDA", MOVIMENTOS, 0)],
            id="bad single-object header",
        ),
    ],
)
def test_the_plan_of_a_batch(
    lote: list[tuple[str, Any]],
    acoes: list[tuple[str, str, int | None]],
    ocultos: dict[str, int],
    cartas: list[tuple[str, str, int]],
) -> None:
    entradas = _lote(*lote)
    plano = _plano(entradas)
    assert [(a.indice, a.doc_id, a.versao) for a in plano.acoes] == acoes
    assert plano.ocultos == ocultos
    registros = [CATALOGO.decode("dead_letter", c.valor) for c in plano.cartas]
    assert [(r["codigo"], r["topico"], r["offset"]) for r in registros] == cartas
    for carta, registro in zip(plano.cartas, registros, strict=True):
        original = next(
            e for e in entradas if (e.topico, e.offset) == (registro["topico"], registro["offset"])
        )
        assert (carta.chave, registro["chave"], registro["valor"]) == (
            original.chave,
            original.chave,
            original.valor,
        )
        assert registro["registrado_em"] == AGORA


def test_a_refused_document_becomes_a_dead_letter_with_the_message_it_came_from() -> None:
    entradas = _lote(("processo", S1), ("processo", S2), ("movimento", M2))
    plano = _plano(entradas)
    snapshot, movimento = plano.acoes
    cartas = cartas_rejeitados(
        plano,
        [Rejeitado(snapshot, 400, "campo especie: número esperado", "mapper_parsing_exception")],
        catalogo=CATALOGO,
        agora=AGORA,
    )
    assert [c.codigo for c in cartas] == ["DOCUMENTO_REJEITADO"]
    registro = CATALOGO.decode("dead_letter", cartas[0].valor)
    assert (registro["topico"], registro["offset"]) == (PROCESSOS, 1)  # the newest snapshot's message
    assert registro["valor"] == entradas[1].valor and cartas[0].chave == entradas[1].chave
    assert registro["motivo"] == "o índice recusou o documento (HTTP 400): campo especie: número esperado"
    assert cartas_rejeitados(plano, [], catalogo=CATALOGO, agora=AGORA) == []


def test_the_movimentos_of_a_processo_the_index_holds_as_a_tombstone_are_not_written() -> None:
    plano = _plano(_lote(("movimento", M1), ("movimento", M2), ("movimento", OM1), ("processo", O1)))
    assert nups_dos_movimentos(plano, alias_movimentos="m") == sorted({NUP, OUTRO})
    encontrados = [{"nup": NUP, "versao": 2, "publico": False}, {"nup": OUTRO, "versao": 1, "publico": True}]
    escondidos = ocultos_no_indice([*encontrados, None])
    assert escondidos == {NUP: 2}
    filtrado = sem_ocultos_no_indice(plano, escondidos, alias_movimentos="m")
    assert [(a.indice, a.doc_id) for a in filtrado.acoes] == [("p", OUTRO), ("m", OM1["id"])]
    assert sem_ocultos_no_indice(plano, {NUP: 1}, alias_movimentos="m").acoes == [
        a for a in plano.acoes if a.doc_id != M1["id"]
    ]  # hidden at version 1: the movimento of version 2 is newer, it stays
    assert sem_ocultos_no_indice(plano, {}, alias_movimentos="m") is plano
