"""Checkpoints as C2SP signed notes: Go's note package test vector, round trips, tampering."""

from __future__ import annotations

import pytest

from archiver.nota import Assinante, Checkpoint, Verificador, abrir_nota, assinar_nota, gerar_assinante
from protocolo.errors import InvalidNote

# golang.org/x/mod/sumdb/note's example key and signature (Ed25519 is deterministic).
CHAVE_PRIVADA = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
CHAVE_PUBLICA = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXTO = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
ASSINATURA = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_matches_the_go_note_package() -> None:
    assinante = Assinante.ler(CHAVE_PRIVADA)
    assert assinante.verificador.texto() == CHAVE_PUBLICA
    assert assinante.texto() == CHAVE_PRIVADA
    assert assinar_nota(TEXTO, assinante) == TEXTO + "\n" + ASSINATURA
    assert abrir_nota(TEXTO + "\n" + ASSINATURA, Verificador.ler(CHAVE_PUBLICA)) == TEXTO


def test_checkpoint_text_round_trips() -> None:
    checkpoint = Checkpoint("protocolo.localhost/arquivo", 20852163, bytes(range(32)))
    texto = checkpoint.texto()
    assert texto.count("\n") == 3
    assert Checkpoint.ler(texto) == checkpoint


@pytest.mark.parametrize(
    "texto",
    ["origem\n12\n", "origem\n012\nAAAA\n", "origem\n-1\n" + "A" * 44 + "\n", "origem\n1\nnão-base64\n"],
)
def test_malformed_checkpoints_are_refused(texto: str) -> None:
    with pytest.raises(InvalidNote):
        Checkpoint.ler(texto)


def test_a_changed_text_or_signature_fails() -> None:
    assinante = gerar_assinante("protocolo.localhost/arquivo")
    nota = assinar_nota(Checkpoint("protocolo.localhost/arquivo", 5, bytes(32)).texto(), assinante)
    verificador = assinante.verificador
    assert abrir_nota(nota, verificador)
    with pytest.raises(InvalidNote):
        abrir_nota(nota.replace("\n5\n", "\n6\n"), verificador)
    linha = nota.rsplit(" ", 1)
    assinatura = linha[1]
    trocada = assinatura[:10] + ("A" if assinatura[10] != "A" else "B") + assinatura[11:]
    with pytest.raises(InvalidNote):
        abrir_nota(linha[0] + " " + trocada, verificador)


def test_another_key_does_not_verify() -> None:
    nota = assinar_nota(TEXTO, gerar_assinante("PeterNeumann"))
    with pytest.raises(InvalidNote, match="não tem assinatura"):
        abrir_nota(nota, Verificador.ler(CHAVE_PUBLICA))
