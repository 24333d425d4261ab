"""SIGUSR1 writes where a worker is: the stack of every asyncio task and of every thread.

A worker that logs "Worker ready" and then processes nothing has no error to show. The chaos tests
send SIGUSR1 to a worker that stops advancing before they fail, so the log says what it waits on:
an agent on its stream, recovery on a changelog, a flush on the broker.
"""

from __future__ import annotations

__all__ = ["instalar_diagnostico"]

import asyncio
import faulthandler
import gc
import logging
import signal
import sys
import types
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
_PACOTE = str(Path(__file__).parent)


def _cadeia(coro: Any) -> list[str]:
    """The frames of a coroutine and of everything it awaits, outermost first."""
    linhas: list[str] = []
    while coro is not None:
        quadro = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        quadro = quadro or getattr(coro, "ag_frame", None)
        if quadro is not None:
            codigo = quadro.f_code
            linhas.append(f'  File "{codigo.co_filename}", line {quadro.f_lineno}, in {codigo.co_name}')
        proximo = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        proximo = proximo or getattr(coro, "ag_await", None)
        coro = proximo.get_coro() if isinstance(proximo, asyncio.Task) else proximo  # into awaited tasks
    return linhas


def _descrever(loop: asyncio.AbstractEventLoop) -> None:
    tarefas = sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name())
    partes = [f"{len(tarefas)} asyncio tasks:"]
    for tarefa in tarefas:
        partes.append(f"task {tarefa.get_name()}:")
        partes.extend(_cadeia(tarefa.get_coro()))
    # An awaitable object (Faust's actors) hides the coroutine it runs from the chain above: list
    # every suspended coroutine of this package too, wherever it is awaited from.
    partes.append("suspended coroutines of the streams package:")
    for objeto in gc.get_objects():
        if isinstance(objeto, types.CoroutineType | types.AsyncGeneratorType):
            quadro = getattr(objeto, "cr_frame", None) or getattr(objeto, "ag_frame", None)
            if quadro is not None and _PACOTE in quadro.f_code.co_filename:
                partes.extend(_cadeia(objeto))
    logger.warning("diagnostic requested (SIGUSR1)\n%s", "\n".join(partes))
    # mode replaces sys.stderr with a logging proxy that has no file descriptor.
    if sys.__stderr__ is not None:
        faulthandler.dump_traceback(file=sys.__stderr__, all_threads=True)


def instalar_diagnostico(loop: asyncio.AbstractEventLoop) -> None:
    """Make SIGUSR1 log the worker's tasks and threads (the loop must be running in this thread)."""
    loop.add_signal_handler(signal.SIGUSR1, _descrever, loop)
