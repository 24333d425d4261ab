"""api.busca.params: search parameters are normalised, and every bad one is named at once."""

from __future__ import annotations

from datetime import date

import pytest

from api.busca.datas import Periodo
from api.busca.params import ConsultaInvalida, validar_busca

NUP = "23037001462202165"


NUP_FORMATADO = "23037.001462/2021-65"


CPF = "52998224725"


CPF_PONTUADO = "529.982.247-25"


def test_parameters_are_normalised() -> None:
    params = validar_busca(
        q="  x ",
        nup=NUP_FORMATADO,
        documento=f" {CPF_PONTUADO} ",
        tipo="documento",
        situacao="arquivado",
        ordem="RECENTES",
        campo_data="Autuacao",
        desde="01/2011",
        ate="2011",
        interessado=f"Maria {CPF_PONTUADO}",
    )
    assert params.q == "x" and params.nup == NUP and params.documento == CPF
    assert (params.tipo, params.situacao, params.ordem, params.campo_data) == (
        "DOCUMENTO",
        "ARQUIVADO",
        "recentes",
        "autuacao",
    )
    assert params.periodo_desde == Periodo(date(2011, 1, 1), date(2011, 2, 1))
    assert params.periodo_ate == Periodo(date(2011, 1, 1), date(2012, 1, 1))
    assert params.interessado == "Maria ***.982.247-**"
    assert CPF not in repr(params)


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ConsultaInvalida) as erro:
        validar_busca(
            nup="1", documento="529.982.247-26", tipo="x", desde="32/01/2020", ordem="z", orgao="a b"
        )
    mensagem = str(erro.value)
    for campo in ("nup:", "documento:", "tipo:", "desde:", "ordem:", "orgao:"):
        assert campo in mensagem
    assert "529" not in mensagem and "247" not in mensagem


@pytest.mark.parametrize("documento", ["123", "abc.def.ghi-jk", "5299822472", "529982247255", "52998224726"])
def test_a_bad_documento_is_refused_without_repeating_it(documento: str) -> None:
    with pytest.raises(ConsultaInvalida, match=r"^documento: ") as erro:
        validar_busca(documento=documento)
    assert documento not in str(erro.value)


def test_name_and_assunto_filters_are_bounded() -> None:
    with pytest.raises(ConsultaInvalida, match="interessado: use no máximo 16 palavras"):
        validar_busca(interessado=" ".join(["maria"] * 17))
    assert validar_busca(assunto=" ".join(["obra"] * 16)).assunto


def test_desde_after_ate_is_refused() -> None:
    with pytest.raises(ConsultaInvalida, match="desde: deve ser anterior ou igual a ate"):
        validar_busca(desde="2024-02-01", ate="31/01/2024")
    assert validar_busca(desde="2024-02-01", ate="01/02/2024").periodo_desde is not None
