"""The partition Kafka's default partitioner gives a key: murmur2, as the Java client computes it.

librdkafka's `murmur2_random` (our producers), the Java client and aiokafka (Faust) agree on it, so
the streams can tell, without a Kafka library, which partition holds a NUP.
"""

from __future__ import annotations

__all__ = ["murmur2", "particao_da_chave"]

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(dados: bytes) -> int:
    """Kafka's murmur2 hash of `dados`, as an unsigned 32-bit integer."""
    tamanho = len(dados)
    h = (_SEED ^ tamanho) & _MASK
    fim = tamanho & ~3
    for i in range(0, fim, 4):
        k = int.from_bytes(dados[i : i + 4], "little")
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    resto = tamanho & 3
    if resto == 3:
        h ^= dados[fim + 2] << 16
    if resto >= 2:
        h ^= dados[fim + 1] << 8
    if resto >= 1:
        h ^= dados[fim]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def particao_da_chave(chave: bytes, particoes: int) -> int:
    """The partition of `chave` among `particoes` (Kafka's `toPositive(murmur2(key)) % n`)."""
    return (murmur2(chave) & 0x7FFFFFFF) % particoes
