"""Specification of streams.estado: the table's state format round-trips and refuses other formats."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import islice

import pytest

from cli.simulation.simulator import SimulationConfig, Simulator
from protocolo.errors import InvalidEvent
from protocolo.fold import fold_processo
from protocolo.model import Evento
from protocolo.referencia import carregar_referencia
from protocolo.validation import evento_from_json
from streams.estado import estado_de_bytes, estado_para_bytes


def _processos() -> list[list[Evento]]:
    por_nup: dict[str, list[Evento]] = defaultdict(list)
    simulador = Simulator(SimulationConfig(seed=11), carregar_referencia())
    for dados in islice(simulador.eventos(), 3000):
        try:
            evento = evento_from_json(dados)
        except InvalidEvent:
            continue
        por_nup[evento.nup].append(evento)
    return list(por_nup.values())


def test_every_simulated_processo_state_round_trips_with_its_offsets() -> None:
    processos = _processos()
    assert len(processos) > 50
    for eventos in processos:
        estado = fold_processo(eventos)
        offsets = {"tramitacao.eventos": 41, "rekey": 3}

        assert estado_de_bytes(estado_para_bytes(estado, offsets)) == (estado, offsets)


def test_a_state_in_another_format_is_refused_not_misread() -> None:
    (eventos, *_) = _processos()
    dados = json.loads(estado_para_bytes(fold_processo(eventos), {}))

    with pytest.raises(ValueError, match="unknown format"):
        estado_de_bytes(json.dumps({**dados, "f": 1}).encode())
    with pytest.raises(ValueError, match="unknown format"):
        estado_de_bytes(b'{"23000:SEI-1": {"id": "SEI-1"}}')  # the old table value: events by identity
