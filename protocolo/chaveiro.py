"""The server's secret keys: the current one and the previous ones, each with an id. Pure.

Every keyed hash and signature protocolo makes (CPF hashes, subscription keys, link signatures,
search cursors, gateway token hashes) names the key that made it: `<id>-<hex>` for the hex ones,
a `k` field in cursors. New values are made with the current key (`Chaveiro.atual`, the first
listed); a value is verified with the key its id names, so values made with any listed key stay
valid after a rotation.

Values made before keys had ids carry none. They were made with PROTOCOLO_SECRET_KEY, whose id is
`k0` (`ID_LEGADO`): a value without an id is verified with the key `k0`, when the ring holds it.

PROTOCOLO_SECRET_KEYS reads `k2:<secret>,k1:<secret>`: comma-separated `id:secret` entries, the
current key first. An id is 1 to 16 lower-case letters or digits; a secret may hold any character
but a comma (`secrets.token_urlsafe(32)` makes good ones).
"""

from __future__ import annotations

__all__ = [
    "ID_LEGADO",
    "ChaveSecreta",
    "Chaveiro",
    "ChaveiroInvalido",
    "Segredo",
    "bytes_de",
    "ler_chaveiro",
    "rotular",
    "separar",
]

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from protocolo.errors import ProtocoloError

ID_LEGADO = "k0"
_ID = re.compile(r"^[a-z0-9]{1,16}$")
_ROTULADO = re.compile(r"^(?P<id>[a-z0-9]{1,16})-(?P<valor>.+)$", re.DOTALL)


class ChaveiroInvalido(ProtocoloError, ValueError):
    """A key list that cannot be read: bad entry, bad or repeated id, empty secret."""


@dataclass(frozen=True)
class ChaveSecreta:
    """One secret key and its id (the secret never shows in a repr)."""

    id: str
    segredo: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ChaveiroInvalido(f"id de chave inválido: {self.id!r} (1 a 16 letras minúsculas ou dígitos)")
        if not self.segredo:
            raise ChaveiroInvalido(f"a chave {self.id} está vazia")


# A raw key makes values without an id: the format before key rotation (tests, old values).
Segredo = bytes | ChaveSecreta


def bytes_de(segredo: Segredo) -> bytes:
    """The key's bytes."""
    return segredo if isinstance(segredo, bytes) else segredo.segredo


def rotular(segredo: Segredo, valor: str) -> str:
    """`valor` (a hex digest made with `segredo`) prefixed with the key's id; a raw key adds none."""
    return valor if isinstance(segredo, bytes) else f"{segredo.id}-{valor}"


def separar(rotulado: str) -> tuple[str | None, str]:
    """The key id and the value of `<id>-<valor>`; (None, the whole text) when it carries no id."""
    casamento = _ROTULADO.match(rotulado)
    if casamento is None:
        return None, rotulado
    return casamento["id"], casamento["valor"]


class Chaveiro:
    """The key ring: the current key first, then the previous ones, found by id."""

    def __init__(self, chaves: Iterable[ChaveSecreta]) -> None:
        self._chaves = tuple(chaves)
        if not self._chaves:
            raise ChaveiroInvalido("nenhuma chave")
        self._por_id = {c.id: c for c in self._chaves}
        if len(self._por_id) != len(self._chaves):
            raise ChaveiroInvalido("id de chave repetido")

    @classmethod
    def de_uma(cls, segredo: bytes, id_: str = ID_LEGADO) -> Chaveiro:
        """A ring of one key (PROTOCOLO_SECRET_KEY alone: id `k0`)."""
        return cls([ChaveSecreta(id_, segredo)])

    @property
    def atual(self) -> ChaveSecreta:
        """The key new values are made with."""
        return self._chaves[0]

    @property
    def legada(self) -> ChaveSecreta | None:
        """The key values without an id were made with (`k0`), if the ring still holds it."""
        return self._por_id.get(ID_LEGADO)

    def segredos_possiveis(self) -> list[Segredo]:
        """Every secret a stored value may have been made with: each key (current first), then the raw
        `k0` secret of the values made before keys had ids, when the ring holds `k0`."""
        segredos: list[Segredo] = list(self._chaves)
        if self.legada is not None:
            segredos.append(self.legada.segredo)
        return segredos

    def __iter__(self) -> Iterator[ChaveSecreta]:
        return iter(self._chaves)

    def __len__(self) -> int:
        return len(self._chaves)

    def ids(self) -> list[str]:
        """The ids, current first."""
        return [c.id for c in self._chaves]

    def para(self, id_: str | None) -> ChaveSecreta | None:
        """The key a value names (None: a value without id, checked with `k0`); None if not held."""
        return self.legada if id_ is None else self._por_id.get(id_)

    def __repr__(self) -> str:
        return f"Chaveiro(ids={self.ids()})"


def ler_chaveiro(texto: str) -> Chaveiro:
    """The ring PROTOCOLO_SECRET_KEYS describes (`k2:<secret>,k1:<secret>`, current first)."""
    chaves = []
    for entrada in texto.split(","):
        entrada = entrada.strip()
        if not entrada:
            continue
        id_, dois_pontos, segredo = entrada.partition(":")
        if not dois_pontos:
            raise ChaveiroInvalido(
                "cada chave se escreve id:segredo (por exemplo k2:…), separadas por vírgula"
            )
        chaves.append(ChaveSecreta(id_.strip(), segredo.strip().encode()))
    return Chaveiro(chaves)
