"""How the readers open a file: plainly, or counting the bytes read so far (for a progress bar).

    contador = ContadorDeBytes()
    for lido in ler_arquivo(caminho, abrir=contador):
        barra.update(completed=contador.lidos)       # of caminho.stat().st_size

The count is of bytes taken from the file, a buffer ahead of the record just yielded: good for a bar.
"""

from __future__ import annotations

__all__ = ["Abrir", "ContadorDeBytes", "abrir_binario"]

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# Opens a file for reading in binary mode; readers wrap it in text decoding themselves.
Abrir = Callable[[Path], BinaryIO]


def abrir_binario(caminho: Path) -> BinaryIO:
    """Open `caminho` for reading, in binary mode."""
    return caminho.open("rb")


class _Contando(io.RawIOBase):
    """A raw file that adds every byte it reads to a counter."""

    def __init__(self, bruto: io.FileIO, contador: ContadorDeBytes) -> None:
        super().__init__()
        self._bruto = bruto
        self._contador = contador

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        lidos = self._bruto.readinto(buffer) or 0
        self._contador.lidos += lidos
        return lidos

    def close(self) -> None:
        self._bruto.close()
        super().close()


class ContadorDeBytes:
    """An Abrir that counts the bytes read from the files it opened; `lidos` is the running total."""

    def __init__(self) -> None:
        self.lidos = 0

    def __call__(self, caminho: Path) -> BinaryIO:
        return cast(BinaryIO, io.BufferedReader(_Contando(io.FileIO(caminho, "r"), self)))
