"""SIGUSR1 makes a real worker log where each of its tasks waits (streams.diagnostico)."""

from __future__ import annotations

from collections.abc import Callable

from protocolo.settings import Settings
from tests.fixtures.espera import eventually
from tests.fixtures.trabalhador import Trabalhador


def test_sigusr1_logs_the_stack_of_the_fold_agent_and_the_worker_keeps_running(
    settings_factory: Callable[..., Settings],
) -> None:
    trabalhador = Trabalhador(settings_factory(), "diagnostico")
    trabalhador.iniciar()
    try:
        eventually(trabalhador.pronto.exists, timeout=90, what="the worker to be ready")
        trabalhador.diagnosticar()

        def registrado() -> str | None:
            texto = trabalhador.log.read_text(errors="replace")
            return texto if "diagnostic requested (SIGUSR1)" in texto and "Thread 0x" in texto else None

        log = eventually(registrado, timeout=20, what="the diagnostic in the worker's log")
        assert "streams/app.py" in log and "in fold" in log  # the agent's own frame
        assert trabalhador.vivo()
    finally:
        trabalhador.parar()
