"""Secrets encrypted at rest with a key derived from the platform's secret key. Pure.

Webhook signing secrets must be readable by the deliverer (it signs with them), so they cannot be
stored as hashes like tokens. They are sealed with AES-256-GCM under a key derived with HKDF-SHA256
from `PROTOCOLO_SECRET_KEY` and a purpose label, and bound to their record (the associated data is
the webhook id, so a sealed secret copied onto another webhook does not open). Whoever reads the
topic without the platform secret learns nothing; changing the platform secret makes every sealed
secret unreadable (the integrators must rotate theirs).

Layout: version byte 0x01, 12-byte random nonce, ciphertext and tag.
"""

from __future__ import annotations

__all__ = ["Cofre"]

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from protocolo.errors import SealedSecretUnreadable

_VERSAO = b"\x01"


class Cofre:
    """Seals and opens secrets for one purpose (`proposito`) with a key derived from the platform secret."""

    def __init__(self, segredo_plataforma: bytes, proposito: str) -> None:
        chave = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"protocolo/{proposito}/v1".encode()
        ).derive(segredo_plataforma)
        self._aead = AESGCM(chave)

    def selar(self, segredo: bytes, *, vinculo: str) -> bytes:
        """`segredo` encrypted and bound to `vinculo` (the id of the record that holds it)."""
        nonce = os.urandom(12)
        return _VERSAO + nonce + self._aead.encrypt(nonce, segredo, vinculo.encode())

    def abrir(self, selado: bytes, *, vinculo: str) -> bytes:
        """The secret sealed by `selar` with the same `vinculo`; SealedSecretUnreadable otherwise."""
        if selado[:1] != _VERSAO or len(selado) < 1 + 12 + 16:
            raise SealedSecretUnreadable("segredo selado em formato desconhecido")
        try:
            return self._aead.decrypt(selado[1:13], selado[13:], vinculo.encode())
        except InvalidTag as exc:
            raise SealedSecretUnreadable("segredo selado não abre com esta chave") from exc
