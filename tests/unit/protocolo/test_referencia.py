"""protocolo.referencia: the packaged reference data, and errors that name the file and field at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from protocolo.referencia import Referencia, carregar_referencia


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


def test_packaged_reference_has_orgaos_with_a_unit_hierarchy(referencia: Referencia) -> None:
    assert len(referencia.orgaos) == 8
    mec = referencia.orgao("23000")
    assert mec is not None and mec.sigla == "MEC" and 4 <= len(mec.unidades) <= 8
    for orgao in referencia.orgaos:
        for unidade in orgao.unidades:
            assert referencia.unidade(orgao.codigo, unidade.codigo) == unidade
            assert unidade.superior is None or referencia.unidade(orgao.codigo, unidade.superior)
    assert referencia.orgao("99999") is None
    assert referencia.unidade("23000", "0") is None


def _orgao(**unidade: Any) -> dict[str, Any]:
    base = {"codigo": "2", "sigla": "B", "nome": "Unidade B"}
    return {
        "codigo": "10000",
        "sigla": "X",
        "nome": "Órgão X",
        "unidades": [{"codigo": "1", "sigla": "A", "nome": "Unidade A"}, {**base, **unidade}],
    }


@pytest.mark.parametrize(
    ("conteudo", "campo"),
    [
        ({"versao": 1, "orgaos": [_orgao(sigla=None)]}, "orgaos[0].unidades[1].sigla"),
        ({"versao": 1, "orgaos": [_orgao(superior="7")]}, "orgaos[0].unidades[1].superior"),
        ({"versao": 1, "orgaos": [_orgao(codigo="1")]}, "orgaos[0].unidades[1].codigo"),
        ({"versao": 1, "orgaos": [{**_orgao(), "nome": 3}]}, "orgaos[0].nome"),
        ({"versao": 1, "orgaos": [_orgao(), _orgao()]}, "orgaos[1].codigo"),
        ({"versao": 1, "orgaos": []}, "orgaos"),
        ({"versao": 2, "orgaos": [_orgao()]}, "versao"),
    ],
)
def test_malformed_reference_names_the_file_and_the_field(tmp_path: Path, conteudo: Any, campo: str) -> None:
    arquivo = tmp_path / "orgaos.json"
    arquivo.write_text(json.dumps(conteudo), encoding="utf-8")
    with pytest.raises(ValueError) as erro:
        carregar_referencia(arquivo)
    assert str(arquivo) in str(erro.value) and f"'{campo}'" in str(erro.value)


def test_unreadable_reference_names_the_file(tmp_path: Path) -> None:
    arquivo = tmp_path / "orgaos.json"
    arquivo.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="orgaos.json"):
        carregar_referencia(arquivo)
