"""api.busca.cursor: page cursors are signed, bounded and say nothing about the query's documento."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.busca.cursor import CursorInvalido, Pagina, criar_cursor, ler_cursor
from api.busca.params import BuscaParams, validar_busca
from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.masking import hash_documento

SEGREDO = ChaveSecreta("k1", b"segredo de teste")
CHAVEIRO = Chaveiro([SEGREDO])


NUP = "23037001462202165"


CPF = "52998224725"


def _adulterar(cursor: str, **mudancas: Any) -> str:
    corpo = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    corpo.update(mudancas)
    return base64.urlsafe_b64encode(json.dumps(corpo).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "mudancas",
    [{"n": 0}, {"n": 10_000}, {"a": [1, "x"]}, {"a": None}, {"n": -1}, {"n": True}, {"a": [[1]]}, {"m": "x"}],
)
def test_a_tampered_cursor_is_refused(mudancas: dict[str, Any]) -> None:
    params = validar_busca(orgao="26000")
    cursor = criar_cursor(Pagina(20, (1_700_000_000_000, NUP)), chave=params.chave(), segredo=SEGREDO)
    with pytest.raises(CursorInvalido, match="^cursor: "):
        ler_cursor(_adulterar(cursor, **mudancas), chave=params.chave(), chaveiro=CHAVEIRO)


def test_a_cursor_says_nothing_about_the_documento() -> None:
    params = validar_busca(documento=CPF)
    cursor = criar_cursor(Pagina(20, (1, NUP)), chave=params.chave(), segredo=SEGREDO)
    decodificado = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert CPF not in decodificado and hash_documento(SEGREDO, CPF) not in decodificado


@given(st.text(max_size=200))
def test_any_string_as_cursor_is_refused_cleanly(token: str) -> None:
    with pytest.raises(CursorInvalido):
        ler_cursor(token, chave=BuscaParams().chave(), chaveiro=CHAVEIRO)


NOVA = ChaveSecreta("k2", b"segredo novo")


def test_a_cursor_of_a_previous_key_reads_while_the_key_is_listed() -> None:
    params = validar_busca(q="pensão")
    cursor = criar_cursor(Pagina(20, (1, NUP)), chave=params.chave(), segredo=SEGREDO)
    assert ler_cursor(cursor, chave=params.chave(), chaveiro=Chaveiro([NOVA, SEGREDO])) == Pagina(
        20, (1, NUP)
    )
    with pytest.raises(CursorInvalido):
        ler_cursor(cursor, chave=params.chave(), chaveiro=Chaveiro([NOVA]))


def test_a_cursor_made_before_key_ids_is_read_with_k0() -> None:
    params = validar_busca(q="pensão")
    cursor = criar_cursor(Pagina(20), chave=params.chave(), segredo=b"antiga")
    assert "k" not in json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert ler_cursor(cursor, chave=params.chave(), chaveiro=Chaveiro([NOVA, ChaveSecreta("k0", b"antiga")]))
    with pytest.raises(CursorInvalido):
        ler_cursor(cursor, chave=params.chave(), chaveiro=Chaveiro([NOVA, ChaveSecreta("k1", b"antiga")]))


@pytest.mark.parametrize("k", ["k9", 7, None])
def test_a_cursor_naming_another_or_no_key_is_refused(k: object) -> None:
    params = validar_busca(q="pensão")
    cursor = criar_cursor(Pagina(20), chave=params.chave(), segredo=SEGREDO)
    with pytest.raises(CursorInvalido):
        ler_cursor(_adulterar(cursor, k=k), chave=params.chave(), chaveiro=Chaveiro([NOVA, SEGREDO]))
