"""What one API process remembers of the events it published through the gateway.

The memory holds, for each event the broker acknowledged, its identity (`orgao:id`) and a digest of its
canonical content, in a bounded LRU: a later batch repeating the event is answered `duplicado` and not
produced again, and one reusing the id for other content is rejected.

This is a courtesy, not the deduplication. The memory is per process and lost on restart; an event
forgotten (evicted, sent to another process, published before a restart) is answered `aceito` and
produced again, and the streams drop it (or send a conflicting one to the DLQ), as they do for every
producer. Nothing is remembered before the broker acknowledged it, so a batch answered 503 is produced
again when resent.

Two requests of one process may carry the same event at once. The first reserves it while it waits
for the broker; the second waits for that outcome (`ocupadas`) and then judges its batch again, so it
is answered `duplicado` (or rejected) when the first was acknowledged, and produces the event itself
when the first failed. Only the event loop touches the memory: no lock is needed.
"""

from __future__ import annotations

__all__ = ["MemoriaGateway"]

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class MemoriaGateway:
    """Digests of acknowledged events by identity, at most `capacidade` of them, least recently used out."""

    def __init__(self, capacidade: int) -> None:
        self.capacidade = capacidade
        self._publicados: OrderedDict[str, bytes] = OrderedDict()
        self._em_voo: dict[str, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        return len(self._publicados)

    def consultar(self, chave: str) -> bytes | None:
        """The digest of the acknowledged event with this identity, if remembered."""
        impressao = self._publicados.get(chave)
        if impressao is not None:
            self._publicados.move_to_end(chave)
        return impressao

    def registrar(self, publicados: Iterable[tuple[str, bytes]]) -> None:
        """Remember events the broker acknowledged, as (identity, digest) pairs."""
        for chave, impressao in publicados:
            self._publicados[chave] = impressao
            self._publicados.move_to_end(chave)
        while len(self._publicados) > self.capacidade:
            self._publicados.popitem(last=False)

    def ocupadas(self, chaves: Iterable[str]) -> set[asyncio.Future[None]]:
        """What to await before judging these events: other requests still publishing any of them."""
        return {self._em_voo[c] for c in chaves if c in self._em_voo}

    @contextmanager
    def reservar(self, chaves: Iterable[str]) -> Iterator[None]:
        """Mark these events as being published by the caller until the block ends.

        An event another request has already reserved stays theirs (the caller waited long enough).
        """
        fim: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        minhas = [c for c in dict.fromkeys(chaves) if c not in self._em_voo]
        for chave in minhas:
            self._em_voo[chave] = fim
        try:
            yield
        finally:
            for chave in minhas:
                del self._em_voo[chave]
            fim.set_result(None)
