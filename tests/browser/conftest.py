"""Headless Debian chromium driven by Playwright against the real pipeline, with axe-core injected.

Playwright's own browser downloads are never used: `make test` installs Debian's `chromium` and
`npm ci --prefix tests/browser` installs the pinned axe-core next to this file.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.oraculo import diferencas, diferencas_movimentos
from tests.fixtures.portal import AXE, Portal

CHROMIUM = Path(os.environ.get("PROTOCOLO_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked as running in the main
# thread while it lives, and later tests (asyncio.run) must not find one.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make apt` (Debian package chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser`")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def navegador(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def telas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $PROTOCOLO_TELAS, or a temporary directory."""
    destino = os.environ.get("PROTOCOLO_TELAS")
    if destino:
        Path(destino).mkdir(parents=True, exist_ok=True)
        return Path(destino)
    return tmp_path_factory.mktemp("telas")


@pytest.fixture(params=[True, False], ids=["js", "sem-js"])
def portal(
    request: pytest.FixtureRequest, navegador: Browser, pipeline: Settings, telas: Path
) -> Iterator[Portal]:
    contexto = navegador.new_context(java_script_enabled=request.param, locale="pt-BR")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    yield Portal(page, f"http://127.0.0.1:{pipeline.api.port}", request.param, telas)
    contexto.close()


@pytest.fixture(scope="module")
def simulados(pipeline: Settings, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Simulated traffic published through the CLI and fully indexed; returns the events sent.

    The same seed is run twice: once into a file (to know the events, CPFs included) and once
    onto the broker. The index is then compared with the simulator's oracle before any test runs.
    """
    pasta = tmp_path_factory.mktemp("simulacao")
    argumentos = ("--eventos", "900", "--seed", "11", "--restritos", "0.1", "--sigilosos", "0.05")
    gerado = run_cli(pipeline, "simulate", *argumentos, "--saida", str(pasta / "eventos.jsonl"))
    assert gerado.returncode == 0, gerado.stderr
    oraculo = pasta / "oraculo.json"
    publicado = run_cli(pipeline, "simulate", *argumentos, "--oraculo", str(oraculo))
    assert publicado.returncode == 0, publicado.stderr
    esperado = json.loads(oraculo.read_text(encoding="utf-8"))
    limite = time.monotonic() + 120
    while (restantes := diferencas(pipeline, esperado) + diferencas_movimentos(pipeline, esperado)) and (
        time.monotonic() < limite
    ):
        time.sleep(1)
    assert restantes == [], f"index differs from the oracle: {restantes[:10]}"
    linhas = (pasta / "eventos.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(linha) for linha in linhas]


@pytest.fixture(scope="module")
def publico(pipeline: Settings, simulados: list[dict[str, Any]]) -> dict[str, Any]:
    """The public processo with the most movimentos (the API's view of it), its newest first under
    "movimentos" (the first page of the movimentos route) and their number under "total_movimentos"."""
    with httpx.Client(base_url=f"http://127.0.0.1:{pipeline.api.port}", timeout=10) as cliente:
        pagina = cliente.get(
            "/api/v1/processos", params={"ordem": "recentes", "tamanho": 100, "facetas": "false"}
        )
        nups = [p["nup_formatado"] for p in pagina.json()["items"]]
        detalhes = []
        for nup in nups[:40]:
            linha = cliente.get(f"/api/v1/processos/{nup}/movimentos", params={"ordem": "desc"}).json()
            processo = cliente.get(f"/api/v1/processos/{nup}").json()
            detalhes.append({**processo, "movimentos": linha["items"], "total_movimentos": linha["total"]})
    return max(detalhes, key=lambda d: d["total_movimentos"])
