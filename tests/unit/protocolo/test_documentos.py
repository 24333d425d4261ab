"""protocolo.documentos: CPF and CNPJ check digits."""

from __future__ import annotations

import random

from protocolo.documentos import gerar_cpf, is_cnpj, is_cpf

CPF = "52998224725"


OUTRO_CPF = "11144477735"


def _com_dv(base: str) -> str:
    """Append the two CPF check digits (mod 11, weights 10..2 then 11..2; written apart from documentos)."""
    for _ in range(2):
        resto = sum(int(d) * p for d, p in zip(base, range(len(base) + 1, 1, -1), strict=True)) % 11
        base += "0" if resto < 2 else str(11 - resto)
    return base


def test_known_documents_are_valid() -> None:
    assert is_cpf(CPF) and is_cpf(OUTRO_CPF)
    assert _com_dv(CPF[:9]) == CPF
    assert all(is_cpf(gerar_cpf(random.Random(semente))) for semente in range(50))
    assert is_cnpj("11222333000181")
    assert not is_cpf("52998224724")
