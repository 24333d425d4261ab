"""RFC 6962 Merkle trees: leaf and node hashes, tree heads, inclusion and consistency proofs (pure).

leaf = SHA-256(0x00 || leaf bytes); node = SHA-256(0x01 || left || right); a tree of n > 1 leaves
splits at k, the largest power of two below n (RFC 6962 §2.1). The verifiers are RFC 9162 §2.1.3.2
and §2.1.4.2, which accept exactly the proofs RFC 6962's PATH and PROOF produce.
"""

from __future__ import annotations

__all__ = [
    "Arvore",
    "VAZIA",
    "Fronteira",
    "hash_folha",
    "hash_no",
    "raiz",
    "verificar_consistencia",
    "verificar_inclusao",
]

import hashlib
from collections.abc import Iterable, Sequence

VAZIA = hashlib.sha256(b"").digest()


def hash_folha(dados: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || dados)."""
    return hashlib.sha256(b"\x00" + dados).digest()


def hash_no(esquerda: bytes, direita: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || esquerda || direita)."""
    return hashlib.sha256(b"\x01" + esquerda + direita).digest()


def _divisao(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Fronteira:
    """The right edge of a growing tree: the roots of its perfect subtrees, largest first.

    Appending is O(1) amortised and the head is O(log n), so a log of any size is hashed in constant
    memory. `hashes` and `tamanho` round-trip through `de`, which the archive stores per segment.
    """

    def __init__(self) -> None:
        self.tamanho = 0
        self._pilha: list[bytes] = []

    @classmethod
    def de(cls, tamanho: int, hashes: Sequence[bytes]) -> Fronteira:
        """The frontier of a tree of `tamanho` leaves, from its stored subtree roots."""
        if len(hashes) != bin(tamanho).count("1"):
            raise ValueError(f"fronteira de {tamanho} folhas precisa de {bin(tamanho).count('1')} hashes")
        fronteira = cls()
        fronteira.tamanho = tamanho
        fronteira._pilha = list(hashes)
        return fronteira

    @property
    def hashes(self) -> list[bytes]:
        """The perfect subtrees' roots, largest (leftmost) first."""
        return list(self._pilha)

    def adicionar(self, folha: bytes) -> None:
        """Append one leaf hash."""
        h = folha
        n = self.tamanho
        while n & 1:
            h = hash_no(self._pilha.pop(), h)
            n >>= 1
        self._pilha.append(h)
        self.tamanho += 1

    def raiz(self) -> bytes:
        """The tree head (RFC 6962 MTH) of the leaves appended so far."""
        if not self._pilha:
            return VAZIA
        h = self._pilha[-1]
        for esquerda in reversed(self._pilha[:-1]):
            h = hash_no(esquerda, h)
        return h

    def copia(self) -> Fronteira:
        """An independent copy."""
        return Fronteira.de(self.tamanho, self._pilha)


def raiz(folhas: Iterable[bytes]) -> bytes:
    """The tree head of these leaf hashes."""
    fronteira = Fronteira()
    for folha in folhas:
        fronteira.adicionar(folha)
    return fronteira.raiz()


class Arvore:
    """Every level of a tree held in memory, to answer proofs: 64 bytes per leaf."""

    def __init__(self, folhas: Sequence[bytes]) -> None:
        self.niveis: list[list[bytes]] = [list(folhas)]
        while len(self.niveis[-1]) > 1:
            baixo = self.niveis[-1]
            self.niveis.append([hash_no(baixo[i], baixo[i + 1]) for i in range(0, len(baixo) - 1, 2)])

    @property
    def tamanho(self) -> int:
        return len(self.niveis[0])

    def _mth(self, inicio: int, fim: int) -> bytes:
        n = fim - inicio
        if n == 0:
            return VAZIA
        if n & (n - 1) == 0 and inicio % n == 0:
            return self.niveis[n.bit_length() - 1][inicio // n]
        k = _divisao(n)
        return hash_no(self._mth(inicio, inicio + k), self._mth(inicio + k, fim))

    def raiz(self, tamanho: int | None = None) -> bytes:
        """The head of the tree of the first `tamanho` leaves (all by default)."""
        return self._mth(0, self.tamanho if tamanho is None else tamanho)

    def inclusao(self, indice: int, tamanho: int | None = None) -> list[bytes]:
        """The audit path of leaf `indice` in the tree of the first `tamanho` leaves (RFC 6962 PATH)."""
        n = self.tamanho if tamanho is None else tamanho
        if not 0 <= indice < n <= self.tamanho:
            raise ValueError(f"índice {indice} fora de uma árvore de {n} folhas")
        return self._caminho(indice, 0, n)

    def _caminho(self, m: int, inicio: int, fim: int) -> list[bytes]:
        n = fim - inicio
        if n == 1:
            return []
        k = _divisao(n)
        if m < k:
            return [*self._caminho(m, inicio, inicio + k), self._mth(inicio + k, fim)]
        return [*self._caminho(m - k, inicio + k, fim), self._mth(inicio, inicio + k)]

    def consistencia(self, antigo: int, novo: int | None = None) -> list[bytes]:
        """The proof that the tree of `novo` leaves extends the one of `antigo` (RFC 6962 PROOF)."""
        n = self.tamanho if novo is None else novo
        if not 0 <= antigo <= n <= self.tamanho:
            raise ValueError(f"tamanhos {antigo} e {n} inválidos para uma árvore de {self.tamanho} folhas")
        if antigo in (0, n):
            return []
        return self._subprova(antigo, 0, n, completa=True)

    def _subprova(self, m: int, inicio: int, fim: int, *, completa: bool) -> list[bytes]:
        n = fim - inicio
        if m == n:
            return [] if completa else [self._mth(inicio, fim)]
        k = _divisao(n)
        if m <= k:
            return [*self._subprova(m, inicio, inicio + k, completa=completa), self._mth(inicio + k, fim)]
        return [*self._subprova(m - k, inicio + k, fim, completa=False), self._mth(inicio, inicio + k)]


def verificar_inclusao(
    folha: bytes, *, indice: int, tamanho: int, caminho: Sequence[bytes], raiz: bytes
) -> bool:
    """Whether `caminho` proves leaf hash `folha` at `indice` in the tree of `tamanho` leaves with `raiz`."""
    if not 0 <= indice < tamanho:
        return False
    fn, sn = indice, tamanho - 1
    r = folha
    for p in caminho:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hash_no(p, r)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hash_no(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == raiz


def verificar_consistencia(
    *, antigo: int, novo: int, raiz_antiga: bytes, raiz_nova: bytes, prova: Sequence[bytes]
) -> bool:
    """Whether `prova` shows the tree of `novo` leaves (`raiz_nova`) extends the one of `antigo`."""
    if not 0 <= antigo <= novo:
        return False
    if antigo == novo:
        return not prova and raiz_antiga == raiz_nova
    if antigo == 0:
        return not prova
    if not prova:
        return False
    caminho = list(prova)
    if antigo & (antigo - 1) == 0:
        caminho.insert(0, raiz_antiga)
    fn, sn = antigo - 1, novo - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = caminho[0]
    for c in caminho[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hash_no(c, fr)
            sr = hash_no(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = hash_no(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == raiz_antiga and sr == raiz_nova
