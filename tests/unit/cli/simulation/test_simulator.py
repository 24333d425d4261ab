"""cli.simulation.simulator: the simulated traffic and its oracle."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import pytest

from cli.simulation.simulator import Oracle, SimulationConfig, Simulator
from protocolo.errors import InvalidEvent
from protocolo.fold import fold_processo, ordenar_eventos
from protocolo.masking import mascarar_texto
from protocolo.model import Evento, NivelAcesso, Operacao
from protocolo.referencia import Referencia, carregar_referencia
from protocolo.validation import evento_from_json as ler

TOTAL = 6000


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


@pytest.fixture(scope="module")
def emitidos(referencia: Referencia) -> tuple[list[dict[str, Any]], Oracle]:
    simulator = Simulator(SimulationConfig(seed=7), referencia)
    return list(islice(simulator.eventos(), TOTAL)), simulator.oracle()


def _invalidos(oracle: Oracle) -> set[tuple[str, str]]:
    return {(dados["orgao"], dados["id"]) for dados, _ in oracle.invalidos}


def _validos(eventos: list[dict[str, Any]], oracle: Oracle) -> list[Evento]:
    """Every valid event as emitted, resent copies included."""
    invalidos = _invalidos(oracle)
    return [ler(e) for e in eventos if (e["orgao"], e["id"]) not in invalidos]


def test_same_seed_gives_the_same_stream_and_another_seed_does_not(referencia: Referencia) -> None:
    def primeiros(seed: int) -> list[dict[str, Any]]:
        return list(islice(Simulator(SimulationConfig(seed=seed), referencia).eventos(), 2000))

    assert primeiros(42) == primeiros(42)
    assert primeiros(42) != primeiros(43)


def test_every_event_not_recorded_as_invalid_passes_the_contract(
    emitidos: tuple[list[dict[str, Any]], Oracle],
) -> None:
    eventos, oracle = emitidos
    invalidos = _invalidos(oracle)
    assert len(invalidos) == len(oracle.invalidos)  # each invalid event has its own identity
    for dados in eventos:
        if (dados["orgao"], dados["id"]) in invalidos:
            with pytest.raises(InvalidEvent):
                ler(dados)
        else:
            ler(dados)


def test_every_kind_of_invalid_event_fails_the_contract_for_its_reason(referencia: Referencia) -> None:
    simulator = Simulator(SimulationConfig(seed=3, invalid_fraction=0.3), referencia)
    list(islice(simulator.eventos(), 1500))
    campo_esperado = {
        "ENVIO sem unidade_destino": "unidade_destino",
        "NUP com dígitos verificadores incorretos": "nup",
        "CPF do interessado com dígitos verificadores incorretos": "interessados[0].documento",
        "operação desconhecida": "operacao",
        "data sem fuso horário": "ocorrido_em",
    }
    vistos = set()
    for dados, motivo in simulator.oracle().invalidos:
        tipo = motivo.split(":")[0]
        vistos.add(tipo)
        with pytest.raises(InvalidEvent) as erro:
            ler(dados)
        assert [v.campo for v in erro.value.violations] == [campo_esperado[tipo]], motivo
    assert vistos == set(campo_esperado)


def test_resent_and_late_events_occur_at_about_the_configured_fractions(
    emitidos: tuple[list[dict[str, Any]], Oracle],
) -> None:
    eventos, oracle = emitidos
    vistos: set[tuple[str, str]] = set()
    mais_recente: dict[str, datetime] = {}
    reenviados = atrasados = 0
    for evento in _validos(eventos, oracle):
        if evento.identidade in vistos:
            reenviados += 1
            continue
        vistos.add(evento.identidade)
        if evento.ocorrido_em < mais_recente.get(evento.nup, evento.ocorrido_em):
            atrasados += 1
        else:
            mais_recente[evento.nup] = evento.ocorrido_em
    assert reenviados == oracle.duplicados
    assert atrasados == oracle.fora_de_ordem
    assert 0.035 < reenviados / TOTAL < 0.065
    assert 0.025 < atrasados / len(vistos) < 0.065
    assert 0.005 < len(oracle.invalidos) / TOTAL < 0.02


def test_oracle_state_equals_the_fold_of_the_emitted_events_in_any_order(
    emitidos: tuple[list[dict[str, Any]], Oracle],
) -> None:
    eventos, oracle = emitidos
    por_nup: dict[str, list[Evento]] = defaultdict(list)
    for evento in _validos(eventos, oracle):
        por_nup[evento.nup].append(evento)
    embaralhador = random.Random(1)
    for lista in por_nup.values():
        embaralhador.shuffle(lista)
    assert {nup: fold_processo(lista) for nup, lista in por_nup.items()} == oracle.processos()
    resumo = json.loads(json.dumps(oracle.to_json()))
    assert resumo["totais"]["emitidos"] == TOTAL
    for nup, estado in resumo["processos"].items():
        assert estado["versao"] == len(oracle.eventos_validos[nup])


def test_lifecycles_are_plausible(emitidos: tuple[list[dict[str, Any]], Oracle]) -> None:
    _, oracle = emitidos
    operacoes = {e.operacao for eventos in oracle.eventos_validos.values() for e in eventos}
    assert operacoes == set(Operacao)
    for eventos in oracle.eventos_validos.values():
        historico = ordenar_eventos(eventos)
        datas = [e.ocorrido_em for e in historico]
        assert len(set(datas)) == len(datas)
        assert all(d.utcoffset() == timedelta(hours=-3) and 2024 <= d.year <= 2026 for d in datas)
        for evento in historico:
            if evento.operacao in (Operacao.ENVIO, Operacao.RECEBIMENTO):
                assert evento.unidade_destino is not None
            if evento.nup_relacionado is not None:
                assert evento.nup_relacionado != evento.nup
    relacionados = [
        r for eventos in oracle.eventos_validos.values() for e in eventos if (r := e.nup_relacionado)
    ]
    assert relacionados


def test_processos_move_to_other_orgaos_published_by_the_unit_that_acts(
    emitidos: tuple[list[dict[str, Any]], Oracle], referencia: Referencia
) -> None:
    _, oracle = emitidos
    envios = 0
    for eventos in oracle.eventos_validos.values():
        for envio in eventos:
            if envio.operacao is not Operacao.ENVIO or envio.unidade_destino is None:
                continue
            destino = envio.unidade_destino.codigo
            assert envio.unidade_origem and referencia.unidade(envio.orgao, envio.unidade_origem.codigo)
            if referencia.unidade(envio.orgao, destino) is not None:
                continue
            envios += 1
            recebimentos = [
                e for e in eventos if e.operacao is Operacao.RECEBIMENTO and e.ocorrido_em > envio.ocorrido_em
            ]
            if recebimentos:
                recebimento = min(recebimentos, key=lambda e: e.ocorrido_em)
                assert recebimento.orgao != envio.orgao
                assert referencia.unidade(recebimento.orgao, destino) is not None
    assert envios > 20


def test_restrito_and_sigiloso_processos_occur(emitidos: tuple[list[dict[str, Any]], Oracle]) -> None:
    _, oracle = emitidos
    processos = oracle.processos()
    niveis = {p.nivel_acesso for p in processos.values()}
    assert niveis == set(NivelAcesso)
    primeiros = {nup: ordenar_eventos(eventos)[0] for nup, eventos in oracle.eventos_validos.items()}
    mudaram = [p for nup, p in processos.items() if primeiros[nup].nivel_acesso is not p.nivel_acesso]
    assert mudaram and all(p.nivel_acesso is NivelAcesso.RESTRITO for p in mudaram)
    publicos, com_restritos = oracle.publicos(), oracle.publicos(restrito_publico=True)
    assert {p.nivel_acesso for p in publicos.values()} == {NivelAcesso.PUBLICO}
    assert {p.nivel_acesso for p in com_restritos.values()} == {NivelAcesso.PUBLICO, NivelAcesso.RESTRITO}


def test_some_observacoes_carry_a_cpf_to_exercise_masking(
    emitidos: tuple[list[dict[str, Any]], Oracle],
) -> None:
    eventos, _ = emitidos
    textos = [e["observacao"] for e in eventos if e["observacao"]]
    assert any(mascarar_texto(t) != t for t in textos)


def test_a_bounded_simulation_closes_every_processo(referencia: Referencia) -> None:
    simulator = Simulator(SimulationConfig(seed=5, processos=30, active=10), referencia)
    eventos = list(simulator.eventos())
    oracle = simulator.oracle()
    assert len(oracle.eventos_validos) == 30
    assert all(ordenar_eventos(e)[0].operacao is Operacao.AUTUACAO for e in oracle.eventos_validos.values())
    assert oracle.to_json()["totais"]["emitidos"] == len(eventos)


def test_oracle_is_a_snapshot(referencia: Referencia) -> None:
    simulator = Simulator(SimulationConfig(), referencia)
    stream = simulator.eventos()
    list(islice(stream, 100))
    antes = simulator.oracle()
    list(islice(stream, 100))
    assert sum(map(len, antes.eventos_validos.values())) < sum(
        map(len, simulator.oracle().eventos_validos.values())
    )


@pytest.mark.parametrize(
    "campos",
    [{"duplicate_fraction": 1.5}, {"duplicate_fraction": 0.6, "invalid_fraction": 0.5}, {"active": 0}],
)
def test_config_rejects_impossible_values(campos: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SimulationConfig(**campos)


def test_simulator_refuses_more_orgaos_than_the_reference_has(referencia: Referencia) -> None:
    with pytest.raises(ValueError, match="órgãos"):
        Simulator(SimulationConfig(orgaos=len(referencia.orgaos) + 1), referencia)
