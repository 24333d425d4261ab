"""A replay's batches processed in decoding worker processes, their results in read order.

Decoding is most of a replay's work, and one Python process decodes on one core only. The main
process keeps reading and writing; batches go to `processos` workers (fresh interpreters, started
with `spawn`, that import only the decoder: about 25 MB each), at most two per worker in flight, so
memory stays bounded whatever the topic's size. Results come back in the order the batches were
read, so the output is in read order and each partition's rows in offset order, exactly as the
main process alone writes them (`processos=0`).
"""

from __future__ import annotations

__all__ = ["Decodificadores"]

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from cli.replay.linhas import Filtro
from cli.replay.lotes import Item, ResultadoLote, processar_lote
from protocolo.avro import catalogo_padrao

# Batches in flight per worker: one being decoded, one waiting, so no worker idles between two.
_POR_PROCESSO = 2

# The worker's own job, set once by _iniciar (a worker process handles one replay).
_trabalho: Callable[[Sequence[Item]], ResultadoLote] | None = None


def _funcao(
    *, registro: str, formato: str, topico: str, filtro: Filtro
) -> Callable[[Sequence[Item]], ResultadoLote]:
    from cli.replay.saidas import codificador

    catalogo = catalogo_padrao()
    codificar = codificador(formato, catalogo.esquema(registro))

    def processar(itens: Sequence[Item]) -> ResultadoLote:
        return processar_lote(
            itens, catalogo=catalogo, registro=registro, topico=topico, filtro=filtro, codificar=codificar
        )

    return processar


def _iniciar(registro: str, formato: str, topico: str, filtro: Filtro) -> None:
    global _trabalho
    _trabalho = _funcao(registro=registro, formato=formato, topico=topico, filtro=filtro)


def _processar(itens: Sequence[Item]) -> ResultadoLote:
    assert _trabalho is not None, "_iniciar runs first in every worker"
    return _trabalho(itens)


class Decodificadores:
    """Process a replay's batches, in `processos` workers (0: in this process), results in order."""

    def __init__(self, processos: int, *, registro: str, formato: str, topico: str, filtro: Filtro) -> None:
        self._local = _funcao(registro=registro, formato=formato, topico=topico, filtro=filtro)
        self._janela = max(processos, 1) * _POR_PROCESSO
        self._pool = (
            ProcessPoolExecutor(
                processos,
                # spawn, not fork: a forked worker would hold a copy of everything this process holds.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_iniciar,
                initargs=(registro, formato, topico, filtro),
            )
            if processos > 0
            else None
        )

    def processar(self, lotes: Iterable[Sequence[Item]]) -> Iterator[ResultadoLote]:
        """The result of each batch, in the order of `lotes`, reading ahead at most the window."""
        if self._pool is None:
            yield from map(self._local, lotes)
            return
        pendentes: deque[Future[ResultadoLote]] = deque()
        for lote in lotes:
            pendentes.append(self._pool.submit(_processar, lote))
            if len(pendentes) >= self._janela:
                yield pendentes.popleft().result()
        while pendentes:
            yield pendentes.popleft().result()

    def fechar(self) -> None:
        """Stop the workers (pending batches are dropped when the replay stopped early)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Decodificadores:
        return self

    def __exit__(
        self, tipo: type[BaseException] | None, erro: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.fechar()
