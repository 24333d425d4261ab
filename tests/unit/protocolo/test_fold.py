"""Specification of protocolo.fold: a processo's state after each operation, and order independence."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.errors import InvalidEvent
from protocolo.fold import Limites, Processo, Situacao, avancar, fold_processo, ordenar_eventos
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.validation import evento_from_json

NUP = "23037001462202165"
NUP_PRINCIPAL = "60041001093202097"
NUP_DOCUMENTO = "23037001004201910"
NUP_OUTRO = "23037001006201909"
T0 = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
PROTOCOLO = Unidade("2300001", "PROT", "Protocolo Central")
CGLIC = Unidade("2300002", "CGLIC", "Coordenação de Licitações")
CONJUR = Unidade("2300003", "CONJUR", "Consultoria Jurídica")
SAA = Unidade("2500001", "SAA", "Subsecretaria de Assuntos Administrativos")

# The fields an operation needs, filled with defaults a test can override.
_PADROES: dict[Operacao, dict[str, Any]] = {
    Operacao.AUTUACAO: {"unidade_origem": PROTOCOLO, "assunto": "Aquisição de material"},
    Operacao.ENVIO: {"unidade_origem": PROTOCOLO, "unidade_destino": CGLIC},
    Operacao.RECEBIMENTO: {"unidade_destino": CGLIC},
    Operacao.ANEXACAO: {"nup_relacionado": NUP_PRINCIPAL},
    Operacao.DESANEXACAO: {"nup_relacionado": NUP_PRINCIPAL},
    Operacao.RELACIONAMENTO: {"nup_relacionado": NUP_OUTRO},
    Operacao.JUNTADA: {"nup_relacionado": NUP_DOCUMENTO},
}


def _evento(operacao: Operacao, minuto: int, /, **campos: Any) -> Evento:
    """A valid event `minuto` minutes after T0; the id is derived from the minute unless given."""
    dados: dict[str, Any] = {
        "id": f"e{minuto:04d}",
        "orgao": "23000",
        "nup": NUP,
        "tipo": TipoProtocolo.PROCESSO,
        "operacao": operacao,
        "ocorrido_em": T0 + timedelta(minutes=minuto),
        "nivel_acesso": NivelAcesso.PUBLICO,
        **_PADROES.get(operacao, {}),
        **campos,
    }
    return Evento(**dados)


def _fold(*passos: tuple[Operacao, dict[str, Any]]) -> Processo:
    """Fold an AUTUACAO followed by `passos`, one minute apart."""
    eventos = [_evento(Operacao.AUTUACAO, 0)]
    eventos += [_evento(op, i, **campos) for i, (op, campos) in enumerate(passos, start=1)]
    return fold_processo(eventos)


A = Operacao
SITUACOES = [
    # (passos after the autuação, situacao, localizacao, em_transito, anexado_a)
    ((), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.ENVIO, {}),), Situacao.EM_TRAMITACAO, CGLIC, True, None),
    (((A.ENVIO, {}), (A.RECEBIMENTO, {})), Situacao.EM_TRAMITACAO, CGLIC, False, None),
    (
        ((A.ENVIO, {}), (A.RECEBIMENTO, {}), (A.ENVIO, {"unidade_origem": CGLIC, "unidade_destino": CONJUR})),
        Situacao.EM_TRAMITACAO,
        CONJUR,
        True,
        None,
    ),
    (((A.CONCLUSAO, {}),), Situacao.CONCLUIDO, PROTOCOLO, False, None),
    (((A.CONCLUSAO, {}), (A.REABERTURA, {})), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.ARQUIVAMENTO, {}),), Situacao.ARQUIVADO, PROTOCOLO, False, None),
    (((A.ARQUIVAMENTO, {}), (A.DESARQUIVAMENTO, {})), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.ARQUIVAMENTO, {}), (A.CIENCIA, {})), Situacao.ARQUIVADO, PROTOCOLO, False, None),
    (((A.SOBRESTAMENTO, {}),), Situacao.SOBRESTADO, PROTOCOLO, False, None),
    (((A.SOBRESTAMENTO, {}), (A.REMOCAO_SOBRESTAMENTO, {})), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.ANEXACAO, {}),), Situacao.ANEXADO, PROTOCOLO, False, NUP_PRINCIPAL),
    (((A.ANEXACAO, {}), (A.DESANEXACAO, {})), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.RELACIONAMENTO, {}),), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.JUNTADA, {}),), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
    (((A.CIENCIA, {}),), Situacao.EM_TRAMITACAO, PROTOCOLO, False, None),
]


@pytest.mark.parametrize(
    ("passos", "situacao", "localizacao", "em_transito", "anexado_a"),
    SITUACOES,
    ids=["autuacao", *("-".join(op.value.lower() for op, _ in s[0]) for s in SITUACOES[1:])],
)
def test_situacao_and_localizacao_after_each_operation(
    passos: tuple[tuple[Operacao, dict[str, Any]], ...],
    situacao: Situacao,
    localizacao: Unidade,
    em_transito: bool,
    anexado_a: str | None,
) -> None:
    processo = _fold(*passos)

    assert processo.situacao is situacao
    assert processo.localizacao == localizacao
    assert processo.em_transito is em_transito
    assert processo.anexado_a == anexado_a
    assert processo.ultima_operacao is (passos[-1][0] if passos else Operacao.AUTUACAO)
    assert processo.atualizado_em == T0 + timedelta(minutes=len(passos))
    assert processo.autuado_em == T0


def test_envio_sets_localizacao_to_destino_and_puts_the_processo_in_transit() -> None:
    processo = _fold((A.ENVIO, {"unidade_destino": CONJUR}))

    assert (processo.localizacao, processo.em_transito) == (CONJUR, True)


def test_recebimento_clears_em_transito() -> None:
    processo = _fold((A.ENVIO, {"unidade_destino": CONJUR}), (A.RECEBIMENTO, {"unidade_destino": CONJUR}))

    assert (processo.localizacao, processo.em_transito) == (CONJUR, False)


def test_relacionamento_and_juntada_accumulate_without_repeats() -> None:
    processo = _fold(
        (A.RELACIONAMENTO, {"nup_relacionado": NUP_OUTRO}),
        (A.JUNTADA, {"nup_relacionado": NUP_DOCUMENTO}),
        (A.RELACIONAMENTO, {"nup_relacionado": NUP_PRINCIPAL}),
        (A.RELACIONAMENTO, {"nup_relacionado": NUP_OUTRO}),
        (A.JUNTADA, {"nup_relacionado": NUP_DOCUMENTO}),
        (A.JUNTADA, {"nup_relacionado": NUP_OUTRO}),
    )

    assert processo.relacionados == (NUP_OUTRO, NUP_PRINCIPAL)
    assert processo.documentos == (NUP_DOCUMENTO, NUP_OUTRO)
    assert processo.versao == 7


@pytest.mark.parametrize("nivel", list(NivelAcesso), ids=str)
def test_alteracao_nivel_acesso_changes_nivel_acesso(nivel: NivelAcesso) -> None:
    processo = _fold((A.ENVIO, {}), (A.ALTERACAO_NIVEL_ACESSO, {"nivel_acesso": nivel}))

    assert processo.nivel_acesso is nivel
    assert processo.situacao is Situacao.EM_TRAMITACAO
    assert processo.localizacao == CGLIC


def test_interessados_accumulate_once_per_document_or_name() -> None:
    maria = Interessado("Maria da Silva", "52998224725")
    processo = _fold(
        (A.CIENCIA, {"interessados": (maria, Interessado("ACME Ltda", "11222333000181"))}),
        (A.CIENCIA, {"interessados": (Interessado("Maria Silva", "52998224725"), Interessado("José"))}),
        (A.CIENCIA, {"interessados": (Interessado("JOSÉ"),)}),
    )

    assert [i.nome for i in processo.interessados] == ["Maria da Silva", "ACME Ltda", "José"]


def test_versao_counts_distinct_events_and_ignores_resends() -> None:
    autuacao, envio, recebimento = (
        _evento(A.AUTUACAO, 0),
        _evento(A.ENVIO, 1),
        _evento(A.RECEBIMENTO, 2),
    )

    assert fold_processo([autuacao]).versao == 1
    assert fold_processo([autuacao, envio]).versao == 2
    assert fold_processo([autuacao, envio, envio, autuacao, recebimento, envio]).versao == 3


def test_the_same_event_id_from_two_orgaos_counts_twice() -> None:
    eventos = [_evento(A.AUTUACAO, 0), _evento(A.CIENCIA, 1, id="e0000", orgao="25000")]

    assert fold_processo(eventos).versao == 2


def test_events_of_two_orgaos_for_one_nup_fold_together() -> None:
    eventos = [
        _evento(A.AUTUACAO, 0),
        _evento(A.ENVIO, 10, unidade_destino=SAA),
        _evento(A.RECEBIMENTO, 20, orgao="25000", id="MS-1", unidade_destino=SAA),
    ]

    processo = fold_processo(eventos)

    assert (processo.orgao, processo.orgao_atual) == ("23000", "25000")
    assert (processo.localizacao, processo.em_transito) == (SAA, False)
    assert processo.versao == 3

    eventos.append(_evento(A.ENVIO, 30, orgao="25000", id="MS-2", unidade_destino=CGLIC))
    de_volta = fold_processo(eventos)
    assert (de_volta.orgao, de_volta.orgao_atual, de_volta.localizacao) == ("23000", "25000", CGLIC)
    recebido = fold_processo([*eventos, _evento(A.RECEBIMENTO, 40)])
    assert (recebido.orgao, recebido.orgao_atual, recebido.em_transito) == ("23000", "23000", False)


def test_an_out_of_order_old_event_lands_in_its_place_and_does_not_move_the_processo_back() -> None:
    chegada = [
        _evento(A.AUTUACAO, 0),
        _evento(A.ENVIO, 10, unidade_destino=CGLIC),
        _evento(A.RECEBIMENTO, 20, unidade_destino=CGLIC),
        _evento(A.ENVIO, 30, unidade_origem=CGLIC, unidade_destino=CONJUR),
    ]
    atrasado = _evento(A.CIENCIA, 15, observacao="ciência registrada com atraso")

    antes = fold_processo(chegada)
    depois = avancar(antes, atrasado)

    assert depois == fold_processo([*chegada, atrasado])
    assert depois.observacoes == ("ciência registrada com atraso",)
    assert depois.versao == antes.versao + 1
    assert depois.atualizado_em == antes.atualizado_em == T0 + timedelta(minutes=30)
    assert depois.ultima_operacao is Operacao.ENVIO
    assert (depois.localizacao, depois.em_transito, depois.situacao) == (
        antes.localizacao,
        antes.em_transito,
        antes.situacao,
    )


def test_a_late_arquivamento_older_than_a_desarquivamento_does_not_archive_the_processo() -> None:
    eventos = [_evento(A.AUTUACAO, 0), _evento(A.DESARQUIVAMENTO, 20)]

    processo = fold_processo([*eventos, _evento(A.ARQUIVAMENTO, 10)])

    assert processo.situacao is Situacao.EM_TRAMITACAO
    assert processo.ultima_operacao is Operacao.DESARQUIVAMENTO


def test_the_same_instant_written_with_other_offsets_sorts_by_instant() -> None:
    brasilia = timezone(timedelta(hours=-3))
    eventos = [
        _evento(A.AUTUACAO, 0),
        replace(_evento(A.ENVIO, 5), ocorrido_em=(T0 + timedelta(minutes=5)).astimezone(brasilia)),
        _evento(A.RECEBIMENTO, 4),
    ]

    processo = fold_processo(eventos)

    assert processo.ultima_operacao is A.ENVIO
    assert processo.em_transito


def test_ordenar_eventos_sorts_by_time_then_orgao_then_id_and_drops_resends() -> None:
    a = _evento(A.CIENCIA, 1, orgao="25000", id="a")
    b = _evento(A.CIENCIA, 1, orgao="23000", id="z")
    c = _evento(A.CIENCIA, 1, orgao="23000", id="b")
    d = _evento(A.AUTUACAO, 0)

    assert ordenar_eventos([a, b, d, c, a, d]) == [d, c, b, a]


def test_folding_no_events_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no events"):
        fold_processo([])


def test_folding_events_of_two_nups_raises_value_error() -> None:
    with pytest.raises(ValueError, match="different NUPs"):
        fold_processo([_evento(A.AUTUACAO, 0), _evento(A.CIENCIA, 1, nup=NUP_OUTRO)])


# Small pools make collisions likely: equal instants, one id in two órgãos, one identity with two contents.
_ORGAOS = ("23000", "25000")
_UNIDADES = (PROTOCOLO, CGLIC, CONJUR, SAA)
_RELACIONADOS = (NUP_PRINCIPAL, NUP_DOCUMENTO, NUP_OUTRO)
_PESSOAS = (Interessado("Maria", "52998224725"), Interessado("José"), Interessado("ACME", "11222333000181"))
_FUSOS = (UTC, timezone(timedelta(hours=-3)))


@st.composite
def eventos_de_um_nup(draw: st.DrawFn, nup: str = NUP) -> Evento:
    """A valid event of `nup` drawn from small pools."""
    operacao = draw(st.sampled_from(Operacao))
    unidade = st.sampled_from(_UNIDADES)
    campos: dict[str, Any] = {
        "id": f"e{draw(st.integers(0, 6))}",
        "orgao": draw(st.sampled_from(_ORGAOS)),
        "nup": nup,
        "ocorrido_em": (T0 + timedelta(minutes=draw(st.integers(0, 8)))).astimezone(
            draw(st.sampled_from(_FUSOS))
        ),
        "tipo": draw(st.sampled_from(TipoProtocolo)),
        "nivel_acesso": draw(st.sampled_from(NivelAcesso)),
        "unidade_origem": draw(unidade if operacao in (A.AUTUACAO, A.ENVIO) else st.none() | unidade),
        "unidade_destino": draw(unidade if operacao in (A.ENVIO, A.RECEBIMENTO) else st.none() | unidade),
        "assunto": draw(st.sampled_from(["Aquisição", "Licença"]) | st.none()),
        "especie": draw(st.sampled_from(["Ofício", "Requerimento"]) | st.none()),
        "interessados": tuple(draw(st.lists(st.sampled_from(_PESSOAS), max_size=2, unique=True))),
        "nup_relacionado": draw(st.sampled_from(_RELACIONADOS) | st.none()),
    }
    if operacao is A.AUTUACAO and campos["assunto"] is None:
        campos["assunto"] = "Aquisição"
    if operacao in (A.ANEXACAO, A.DESANEXACAO, A.RELACIONAMENTO, A.JUNTADA) and not campos["nup_relacionado"]:
        campos["nup_relacionado"] = NUP_PRINCIPAL
    return Evento(operacao=operacao, **campos)


@given(st.lists(eventos_de_um_nup(), min_size=1, max_size=12), st.data())
def test_any_arrival_order_with_any_resends_folds_to_the_same_processo(
    eventos: list[Evento], data: st.DataObject
) -> None:
    reenvios = data.draw(st.lists(st.sampled_from(eventos), max_size=6), label="reenvios")
    chegada = data.draw(st.permutations([*eventos, *reenvios]), label="chegada")

    esperado = fold_processo(eventos)
    obtido = fold_processo(chegada)

    assert obtido == esperado
    assert obtido.versao == len({e.identidade for e in eventos})


@given(st.lists(eventos_de_um_nup(), min_size=1, max_size=12), st.data())
def test_deduplicating_by_identity_then_advancing_in_any_order_with_resends_equals_folding_the_sorted_history(
    eventos: list[Evento], data: st.DataObject
) -> None:
    # What the streams do: an identity seen before is never folded again, whatever order events come in.
    unicos = list({e.identidade: e for e in eventos}.values())
    reenvios = data.draw(st.lists(st.sampled_from(unicos), max_size=6), label="reenvios")
    chegada = data.draw(st.permutations([*unicos, *reenvios]), label="chegada")
    vistos: set[tuple[str, str]] = set()
    estado = None
    for evento in chegada:
        if evento.identidade not in vistos:
            vistos.add(evento.identidade)
            estado = avancar(estado, evento)

    assert estado == fold_processo(ordenar_eventos(unicos))


@given(st.lists(eventos_de_um_nup(), min_size=1, max_size=16), st.data())
def test_truncated_sets_keep_the_same_entries_in_any_order(
    eventos: list[Evento], data: st.DataObject
) -> None:
    # Tiny limits, so that entries are dropped and could (wrongly) come back in another order.
    limites = Limites(interessados=1, relacionados=1, documentos=1, unidades=2, dias=1, observacoes=1)
    unicos = list({e.identidade: e for e in eventos}.values())
    unicos = [
        replace(e, observacao=f"obs {e.id}", ocorrido_em=e.ocorrido_em + timedelta(days=i % 3))
        for i, e in enumerate(unicos)
    ]
    estado = None
    for evento in data.draw(st.permutations(unicos), label="chegada"):
        estado = avancar(estado, evento, limites)

    completo = fold_processo(unicos)
    assert estado == fold_processo(unicos, limites)
    assert estado is not None
    assert estado.unidades == completo.unidades[:2]
    assert estado.dias == completo.dias[-1:]
    assert estado.observacoes == completo.observacoes[-1:]


@given(st.lists(eventos_de_um_nup(), min_size=1, max_size=12), st.data())
def test_advancing_one_event_at_a_time_in_any_order_equals_folding_them_all(
    eventos: list[Evento], data: st.DataObject
) -> None:
    # The streams keep conflicting resends out of the fold: one content per identity here.
    unicos = list({e.identidade: e for e in eventos}.values())
    chegada = data.draw(st.permutations(unicos), label="chegada")
    estado = None
    for evento in chegada:
        estado = avancar(estado, evento)

    assert estado == fold_processo(unicos)


@given(st.lists(eventos_de_um_nup(), min_size=1, max_size=8), eventos_de_um_nup(nup=NUP_OUTRO))
def test_folding_events_of_two_nups_always_raises_value_error(eventos: list[Evento], intruso: Evento) -> None:
    # An identity of its own: the case of an identity shared across NUPs is the test below.
    with pytest.raises(ValueError, match="different NUPs"):
        fold_processo([*eventos, replace(intruso, id="intruso")])


def test_an_event_of_another_nup_reusing_an_identity_still_raises_value_error() -> None:
    nosso = _evento(A.AUTUACAO, 0)
    intruso = _evento(A.AUTUACAO, 0, nup=NUP_OUTRO)
    assert nosso.identidade == intruso.identidade

    with pytest.raises(ValueError, match="different NUPs"):
        fold_processo([nosso, intruso])


def test_simulated_processos_fold_the_same_in_any_order() -> None:
    simulation = pytest.importorskip("cli.simulation.simulator")
    referencia = pytest.importorskip("protocolo.referencia").carregar_referencia()
    por_nup: dict[str, list[Evento]] = defaultdict(list)
    for dados in islice(
        simulation.Simulator(simulation.SimulationConfig(seed=5), referencia).eventos(), 1500
    ):
        try:
            evento = evento_from_json(dados)
        except InvalidEvent:
            continue
        por_nup[evento.nup].append(evento)
    rng = random.Random(5)
    for eventos in por_nup.values():
        embaralhados = [*eventos, *rng.choices(eventos, k=3)]
        rng.shuffle(embaralhados)
        assert fold_processo(embaralhados) == fold_processo(eventos)
    assert len(por_nup) > 20
