"""Kafka's murmur2 partitioner hash, written in the core, against the Java client's vectors and aiokafka."""

from __future__ import annotations

import pytest
from aiokafka.partitioner import murmur2 as murmur2_aiokafka
from hypothesis import given
from hypothesis import strategies as st

from protocolo.particao import murmur2, particao_da_chave


def _com_sinal(h: int) -> int:
    return h - (1 << 32) if h & 0x80000000 else h


@pytest.mark.parametrize(
    ("chave", "esperado"),
    [  # org.apache.kafka.common.utils.UtilsTest#testMurmur2
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
        (b"abc", 479470107),
    ],
)
def test_murmur2_matches_the_java_clients_vectors(chave: bytes, esperado: int) -> None:
    assert _com_sinal(murmur2(chave)) == esperado


@given(st.binary(max_size=64), st.integers(min_value=1, max_value=64))
def test_the_partition_of_any_key_is_the_one_aiokafka_gives(chave: bytes, particoes: int) -> None:
    assert particao_da_chave(chave, particoes) == (murmur2_aiokafka(chave) & 0x7FFFFFFF) % particoes
