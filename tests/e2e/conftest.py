"""The whole pipeline as real processes, once per test module."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from cli.stack import SERVICOS, LocalStack
from protocolo.settings import Settings


@pytest.fixture(scope="module")
def pipeline(settings_factory: Callable[..., Settings]) -> Iterator[Settings]:
    """streams, indexer, notifier and API as real processes, for this module's tests."""
    settings = settings_factory()
    stack = LocalStack(settings, servicos=SERVICOS)
    stack.iniciar_servicos()
    yield settings
    stack.parar()
    for processo_log in (settings.state_dir / "logs").glob("*.log"):
        texto = processo_log.read_text(errors="replace")
        assert "Traceback" not in texto, f"{processo_log.name} logged a crash:\n{texto[-3000:]}"


@pytest.fixture
def api(pipeline: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{pipeline.api.port}", timeout=10) as client:
        yield client
