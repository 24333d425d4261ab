"""The OpenAPI document against the real API process: schemathesis finds no server error on any GET.

The API and the indexer (which creates the indices and aliases) run as real processes on the
session's broker and search server, with a small simulated corpus indexed, so generated requests
reach real queries. Examples are limited to keep the run short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from cli.stack import LocalStack
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_real(settings_factory: Callable[..., Settings]) -> Iterator[Settings]:
    """streams, indexer and API as real processes, with a few simulated processos indexed."""
    cfg = settings_factory()
    stack = LocalStack(cfg, servicos=("streams", "indexer", "api"))
    stack.iniciar_servicos()
    try:
        publicado = run_cli(cfg, "simulate", "--eventos", "300", "--seed", "5")
        assert publicado.returncode == 0, publicado.stderr
        base = f"http://127.0.0.1:{cfg.api.port}"
        eventually(
            lambda: httpx.get(f"{base}/api/v1/processos", timeout=5).json().get("total", 0) > 10,
            timeout=90,
            what="processos indexed",
        )
        yield cfg
    finally:
        stack.parar()
    for log in (cfg.state_dir / "logs").glob("*.log"):
        texto = log.read_text(errors="replace")
        assert "Traceback" not in texto, f"{log.name} logged a crash:\n{texto[-3000:]}"


def test_no_get_endpoint_answers_with_a_server_error(api_real: Settings) -> None:
    """Generated requests (valid and invalid) to every GET operation; a 5xx fails the test.

    Schemathesis' pytest plugin does not run under pytest 9 yet, so each operation's hypothesis
    strategy is driven directly.
    """
    esquema = schemathesis.openapi.from_url(f"http://127.0.0.1:{api_real.api.port}/openapi.json")
    operacoes = [r.ok() for r in esquema.include(method="GET").get_all_operations()]
    assert len(operacoes) >= 4, [o.label for o in operacoes]
    chamadas: dict[str, int] = {}
    for operacao in operacoes:

        @given(case=operacao.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def chamar(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])
            chamadas[case.operation.label] = chamadas.get(case.operation.label, 0) + 1

        chamar()
    # An operation without parameters has a single distinct request; the others get many.
    assert set(chamadas) == {o.label for o in operacoes}, chamadas
    assert sum(chamadas.values()) >= 20 * (len(operacoes) - 1), chamadas


def test_every_operation_is_documented_with_summary_examples_and_4xx_responses(api_real: Settings) -> None:
    documento = httpx.get(f"http://127.0.0.1:{api_real.api.port}/openapi.json", timeout=10).json()
    faltas: list[str] = []
    for caminho, operacoes in documento["paths"].items():
        for metodo, op in operacoes.items():
            nome = f"{metodo.upper()} {caminho}"
            if not op.get("summary") or not op.get("description"):
                faltas.append(f"{nome}: summary and description")
            if (op.get("parameters") or op.get("requestBody")) and not set(op["responses"]) & {
                "400",
                "404",
                "422",
            }:
                faltas.append(f"{nome}: a 4xx response")
            for parametro in op.get("parameters", []):
                if not ({"example", "examples"} & (set(parametro) | set(parametro.get("schema", {})))):
                    faltas.append(f"{nome}: an example for {parametro['name']}")
            for codigo, resposta in op["responses"].items():
                if codigo.startswith("2") and "content" in resposta and not resposta.get("description"):
                    faltas.append(f"{nome}: a description for {codigo}")
    assert faltas == [], "missing from the OpenAPI document:\n" + "\n".join(faltas)
