"""The worker's tables as the batch step reads and writes them: straight to each partition's RocksDB.

Faust's `table[k]` and `table[k] = v` go through its Collection and Store layers for every key
(serialisers, a key-index LRU, a current-event lookup to find the partition). Profiled on the
stream benchmark, writing a batch's keys that way cost the worker more than folding them. Here a
read goes to the partition's rocksdict, and a batch's writes to one table and partition go in one
WriteBatch. streams.app produces the changelog records itself (the bytes Faust would write, to the
partition Faust would pick), so Faust's recovery and standby replicas read them as their own.

The `memory` store (no RocksDB) goes through Faust's store as before.
"""

from __future__ import annotations

__all__ = ["TabelaLocal"]

from collections.abc import Iterator, Mapping
from typing import Any

import rocksdict


class _Vista(Mapping[str, bytes]):
    """Lookups by str key in one partition's store (or in Faust's, for the memory store)."""

    def __init__(self, loja: Any) -> None:
        self._loja = loja

    def __getitem__(self, chave: str) -> bytes:
        valor = self._loja.get(chave.encode())
        if valor is None:
            raise KeyError(chave)
        return bytes(valor)

    def get(self, chave: str, default: Any = None) -> Any:
        valor = self._loja.get(chave.encode())
        return default if valor is None else bytes(valor)

    def __iter__(self) -> Iterator[str]:  # never used by the batch step: it only looks keys up
        raise NotImplementedError("table views are lookups only")

    def __len__(self) -> int:
        raise NotImplementedError("table views are lookups only")


class TabelaLocal:
    """One Faust table's local store, per partition."""

    def __init__(self, tabela: Any) -> None:
        self.tabela = tabela

    def _rocksdb(self, particao: int) -> Any | None:
        loja = self.tabela.data
        # faust.stores.rocksdb.Store opens (and caches) one rocksdict per partition.
        abrir = getattr(loja, "_db_for_partition", None)
        return abrir(particao) if abrir is not None else None

    def vista(self, particao: int) -> Mapping[str, bytes]:
        """Read access to the partition's keys (the caller made one of its events current for the
        memory store, which Faust's table resolves through the current event)."""
        db = self._rocksdb(particao)
        return _Vista(db if db is not None else self.tabela)

    def gravar(self, particao: int, escritas: Mapping[str, bytes]) -> None:
        """Write keys to the partition's store, in one batch."""
        if not escritas:
            return
        db = self._rocksdb(particao)
        if db is None:
            loja = self.tabela.data
            for chave, valor in escritas.items():
                loja[chave.encode()] = valor
            return
        lote = rocksdict.WriteBatch(raw_mode=True)
        for chave, valor in escritas.items():
            lote.put(chave.encode(), valor)
        db.write(lote)
