"""The simulator's traffic, dirt included, ends in an index equal to its oracle."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.oraculo import cartas_mortas, diferencas, diferencas_movimentos

pytestmark = pytest.mark.slow


def test_simulated_traffic_with_resends_disorder_and_invalid_events_matches_the_oracle(
    pipeline: Settings, tmp_path: Path
) -> None:
    oraculo = tmp_path / "oraculo.json"
    resultado = run_cli(
        pipeline,
        "simulate",
        *("--eventos", "2000", "--seed", "7", "--duplicados", "0.1", "--desordem", "0.1"),
        *("--invalidos", "0.05", "--oraculo", str(oraculo)),
    )
    assert resultado.returncode == 0, resultado.stderr
    enviados = re.search(r"publicados: (\d+) válidos, (\d+) inválidos", resultado.stdout)
    assert enviados is not None, resultado.stdout
    esperado = json.loads(oraculo.read_text(encoding="utf-8"))
    assert esperado["totais"]["duplicados"] > 50 and esperado["totais"]["fora_de_ordem"] > 50

    limite = time.monotonic() + 120
    while (restantes := diferencas(pipeline, esperado)) and time.monotonic() < limite:
        time.sleep(2)
    assert restantes == [], f"{len(restantes)} differences, first ones: {restantes[:10]}"
    while (movimentos := diferencas_movimentos(pipeline, esperado)) and time.monotonic() < limite:
        time.sleep(2)
    assert movimentos == [], f"{len(movimentos)} movimentos differ, first ones: {movimentos[:10]}"
    cartas = cartas_mortas(pipeline)
    assert len(cartas) == int(enviados[2]) > 0
    assert {c["codigo"] for c in cartas} == {"EVENTO_INVALIDO"}
