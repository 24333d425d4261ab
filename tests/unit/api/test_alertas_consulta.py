"""A search read as an alert's query: CPF/CNPJ hashes under the key given, named by it."""

from __future__ import annotations

import random

from api.alertas_consulta import consulta_de_busca
from api.busca.params import validar_busca
from protocolo.chaveiro import ChaveSecreta
from protocolo.documentos import gerar_cpf
from protocolo.masking import hash_documento

K1, K2 = ChaveSecreta("k1", b"primeira"), ChaveSecreta("k2", b"segunda")
CPF = gerar_cpf(random.Random(7))


def test_a_cpf_filter_or_a_cpf_in_the_text_is_kept_as_its_hash_under_the_key_named() -> None:
    filtro = consulta_de_busca(validar_busca(documento=CPF), segredo=K2)
    assert filtro.documento_hash == hash_documento(K2, CPF) and filtro.documento_hash.startswith("k2-")
    texto = consulta_de_busca(validar_busca(q=f"pensão {CPF}"), segredo=K2)
    assert [t.valor for g in texto.grupos for t in g if t.tipo == "documento"] == [hash_documento(K2, CPF)]
    assert filtro.segue_documento and texto.segue_documento
    assert CPF not in filtro.canonica() + texto.canonica()


def test_a_search_without_a_document_reads_the_same_under_any_key() -> None:
    sem = validar_busca(q="licitação merenda", orgao="26000")
    assert consulta_de_busca(sem, segredo=K1) == consulta_de_busca(sem, segredo=K2)
    assert not consulta_de_busca(sem, segredo=K1).segue_documento
