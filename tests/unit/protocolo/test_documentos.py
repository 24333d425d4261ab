"""protocolo.documentos: CPF and CNPJ check digits."""

from __future__ import annotations

import random

from protocolo.documentos import gerar_cpf, is_cnpj, is_cpf
from tests.fixtures.documentos import com_dv

CPF = "52998224725"


OUTRO_CPF = "11144477735"


def test_known_documents_are_valid() -> None:
    assert is_cpf(CPF) and is_cpf(OUTRO_CPF)
    assert com_dv(CPF[:9]) == CPF
    assert all(is_cpf(gerar_cpf(random.Random(semente))) for semente in range(50))
    assert is_cnpj("11222333000181")
    assert not is_cpf("52998224724")
