"""Agency tokens: shown once, stored as keyed hashes, refused when wrong, malformed or revoked."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from protocolo.chaveiro import Chaveiro, ChaveSecreta
from protocolo.credenciais import Credenciais, gerar_credencial, hash_token, id_chave

SEGREDO = ChaveSecreta("k1", b"segredo do servidor")
CHAVEIRO = Chaveiro([SEGREDO])
AGORA = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_new_token_authenticates_as_its_orgao_and_only_its_hash_is_kept() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA, descricao="SEI do MEC")

    autenticada = Credenciais([credencial]).autenticar(CHAVEIRO, token)

    assert autenticada == credencial and autenticada.orgao == "23000"
    assert token not in repr(credencial) and credencial.hash == hash_token(SEGREDO, token)
    assert token.startswith(f"pit_{credencial.id}_")


def test_two_tokens_never_repeat() -> None:
    tokens = {gerar_credencial(SEGREDO, orgao="1", agora=AGORA)[1] for _ in range(200)}

    assert len(tokens) == 200


def test_a_revoked_token_is_refused() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)
    revogada = credencial.revogar(AGORA)

    assert Credenciais([revogada]).autenticar(CHAVEIRO, token) is None
    assert revogada.revogar(datetime(2030, 1, 1, tzinfo=UTC)).revogada_em == AGORA


def test_a_token_with_one_character_changed_is_refused() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)
    trocado = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert Credenciais([credencial]).autenticar(CHAVEIRO, trocado) is None


def test_a_token_checked_with_another_server_secret_is_refused() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)

    assert Credenciais([credencial]).autenticar(Chaveiro.de_uma(b"outro segredo", "k1"), token) is None


def test_a_token_of_an_unknown_credential_is_refused() -> None:
    _, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)

    assert Credenciais([]).autenticar(CHAVEIRO, token) is None


@given(st.text(max_size=120))
def test_arbitrary_text_never_authenticates_nor_raises(texto: str) -> None:
    credencial, _ = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)

    assert Credenciais([credencial]).autenticar(CHAVEIRO, texto) is None


NOVA = ChaveSecreta("k2", b"segredo novo")


def test_a_token_hashed_with_a_previous_key_authenticates_while_the_key_is_listed() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="23000", agora=AGORA)
    assert credencial.hash.startswith("k1-") and id_chave(credencial) == "k1"
    assert Credenciais([credencial]).autenticar(Chaveiro([NOVA, SEGREDO]), token) == credencial
    assert Credenciais([credencial]).autenticar(Chaveiro([NOVA]), token) is None


def test_a_token_hashed_before_key_ids_is_checked_with_k0() -> None:
    antiga = b"PROTOCOLO_SECRET_KEY de antes"
    credencial, token = gerar_credencial(antiga, orgao="23000", agora=AGORA)
    assert len(credencial.hash) == 64 and id_chave(credencial) == "k0"
    assert Credenciais([credencial]).autenticar(Chaveiro([NOVA, ChaveSecreta("k0", antiga)]), token)
    assert Credenciais([credencial]).autenticar(Chaveiro([NOVA, ChaveSecreta("k1", antiga)]), token) is None


def test_new_tokens_are_hashed_with_the_current_key() -> None:
    credencial, token = gerar_credencial(Chaveiro([NOVA, SEGREDO]).atual, orgao="23000", agora=AGORA)
    assert id_chave(credencial) == "k2"
    assert Credenciais([credencial]).autenticar(Chaveiro([NOVA]), token) == credencial
