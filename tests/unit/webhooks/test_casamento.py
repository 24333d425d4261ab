"""The deliverer's saved-search matching: a movimento waits for its processo's snapshot, never longer
than every processos partition takes to pass it, and gets the webhooks the processo matches."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from protocolo.alertas.analise import ELASTICSEARCH
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo
from protocolo.webhooks import Alvo, TipoAlvo, Webhook
from tests.fixtures.snapshots import snapshot_minimo
from webhooks.casamento import CasamentoAlertas, Relogio, Retido

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
NUP = "23037001462202165"
OUTRO = "23037001463202118"
MARGEM = 5.0


def _alvo(palavra: str) -> Alvo:
    consulta = ConsultaAlerta(grupos=((Termo(TipoTermo.PALAVRA, texto=palavra),),))
    return Alvo(TipoAlvo.ALERTA, json.dumps({"consulta": consulta.canonica(), "descricao": palavra}))


def _webhook(id_: str, alvo: Alvo) -> Webhook:
    return Webhook(id_, "int_1", "https://e.org/wh", alvo, (), T0)


def _retido(nup: str, versao: int, offset: int, produzido_s: float = 100.0, particao: int = 0) -> Retido:
    movimento = {"id": f"26000:m{offset}", "nup": nup, "orgao": "26000", "processo_versao": versao}
    return Retido(movimento, particao, offset, produzido_s)


def _casamento(**webhooks: str) -> CasamentoAlertas:
    casamento = CasamentoAlertas(ELASTICSEARCH, margem_s=MARGEM, recentes_max=1000)
    casamento.sincronizar({id_: _webhook(id_, _alvo(palavra)) for id_, palavra in webhooks.items()})
    return casamento


ATRASADO = {0: Relogio(ultimo_s=0.0, no_fim=False)}


def test_a_movimento_after_its_snapshot_is_decided_with_the_processo_s_matches() -> None:
    casamento = _casamento(wh_a="licitação", wh_b="aposentadoria")

    assert casamento.aplicar_snapshot(snapshot_minimo(NUP, "Licitação de merenda", 1)) == (
        NUP,
        frozenset({"wh_a"}),
    )
    assert casamento.aplicar_snapshot(snapshot_minimo(OUTRO, "Reforma do prédio", 1)) is None  # matches none

    decididos = casamento.decidir([_retido(NUP, 1, 0), _retido(OUTRO, 1, 1)], ATRASADO, agora_s=100.0)
    assert [(r.offset, ids) for r, ids in decididos] == [(0, frozenset({"wh_a"})), (1, frozenset())]
    assert casamento.retidos == [] and casamento.primeiro_retido() == {}


def test_a_movimento_read_before_its_snapshot_waits_for_it_and_holds_the_commit_back() -> None:
    casamento = _casamento(wh_a="licitação")
    casamento.aplicar_snapshot(snapshot_minimo(NUP, "Reforma do prédio", 1))  # version 1 does not match

    # The movimento of version 2 (the assunto changed to a match) comes before its snapshot.
    assert casamento.decidir([_retido(NUP, 2, 7), _retido(NUP, 2, 9)], ATRASADO, agora_s=100.0) == []
    assert casamento.primeiro_retido() == {0: 7}

    assert casamento.aplicar_snapshot(snapshot_minimo(NUP, "Licitação de merenda", 2)) == (
        NUP,
        frozenset({"wh_a"}),
    )
    decididos = casamento.decidir([], ATRASADO, agora_s=100.0)
    assert [(r.offset, ids) for r, ids in decididos] == [(7, frozenset({"wh_a"})), (9, frozenset({"wh_a"}))]
    assert casamento.primeiro_retido() == {}


def test_without_its_snapshot_a_movimento_waits_until_every_processos_partition_passed_it() -> None:
    casamento = _casamento(wh_a="licitação")
    # A restart: the table says what the processo matched; its snapshot was read before the restart.
    casamento.carregar({NUP: (["wh_a"], 2), OUTRO: ([], 9)})
    assert casamento.casados == {NUP: frozenset({"wh_a"})}
    # Version 2 is what the table was written at: its movimentos need no wait.
    assert [ids for _, ids in casamento.decidir([_retido(NUP, 2, 5)], ATRASADO, agora_s=0.0)] == [
        frozenset({"wh_a"})
    ]
    retido = _retido(NUP, 3, 0, produzido_s=100.0)

    um_atras = {0: Relogio(ultimo_s=106.0, no_fim=False), 1: Relogio(ultimo_s=104.0, no_fim=False)}
    assert casamento.decidir([retido], um_atras, agora_s=200.0) == []
    no_fim_cedo = {0: Relogio(ultimo_s=106.0, no_fim=False), 1: Relogio(ultimo_s=0.0, no_fim=True)}
    assert casamento.decidir([], no_fim_cedo, agora_s=104.0) == []  # the margin has not passed yet

    decididos = casamento.decidir([], no_fim_cedo, agora_s=105.0)
    assert [(r.offset, ids) for r, ids in decididos] == [(0, frozenset({"wh_a"}))]
    # No processos partition assigned yet: nothing can be decided.
    assert casamento.decidir([_retido(NUP, 4, 1)], {}, agora_s=10_000.0) == []


def test_an_older_snapshot_changes_nothing_and_a_processo_that_stops_matching_is_a_tombstone() -> None:
    casamento = _casamento(wh_a="licitação")
    assert casamento.aplicar_snapshot(snapshot_minimo(NUP, "Licitação de merenda", 3)) == (
        NUP,
        frozenset({"wh_a"}),
    )
    assert casamento.aplicar_snapshot(snapshot_minimo(NUP, "Reforma do prédio", 2)) is None
    assert (
        casamento.aplicar_snapshot(snapshot_minimo(NUP, "Licitação de merenda", 4)) is None
    )  # unchanged: no write

    assert casamento.aplicar_snapshot(snapshot_minimo(NUP, "", 5, publico=False)) == (NUP, frozenset())
    assert NUP not in casamento.casados
    decididos = casamento.decidir([_retido(NUP, 5, 0)], ATRASADO, agora_s=0.0)
    assert [ids for _, ids in decididos] == [frozenset()]


def test_the_registrations_are_followed_and_the_recent_versions_are_bounded() -> None:
    casamento = CasamentoAlertas(ELASTICSEARCH, margem_s=MARGEM, recentes_max=2)
    assert not casamento
    casamento.sincronizar(
        {"wh_a": _webhook("wh_a", _alvo("licitação")), "wh_n": _webhook("wh_n", Alvo(TipoAlvo.NUP, NUP))}
    )
    assert casamento and len(casamento.casador) == 1
    ilegivel = _webhook("wh_x", Alvo(TipoAlvo.ALERTA, "al_1"))  # not what the API writes: never a crash
    assert casamento.sincronizar({"wh_b": _webhook("wh_b", _alvo("reforma")), "wh_x": ilegivel}) == ["wh_x"]
    assert "wh_a" not in casamento.casador and "wh_b" in casamento.casador and "wh_x" not in casamento.casador

    for i, nup in enumerate((NUP, OUTRO, "23037001464202154")):
        casamento.aplicar_snapshot(snapshot_minimo(nup, "Reforma", i + 1))
    assert list(casamento.versoes) == [OUTRO, "23037001464202154"]
    # The forgotten processo's movimento is no longer decided by version: it waits for the partitions.
    assert casamento.decidir([_retido(NUP, 1, 0)], ATRASADO, agora_s=0.0) == []
