"""Secrets encrypted at rest with keys derived from the platform's key ring. Pure.

Webhook signing secrets must be readable by the deliverer (it signs with them), so they cannot be
stored as hashes like tokens. They are sealed with AES-256-GCM under a key derived with HKDF-SHA256
from a key of the ring (protocolo.chaveiro) and a purpose label, and bound to their record (the
associated data is the webhook id, so a sealed secret copied onto another webhook does not open).
Whoever reads the topic without the platform's keys learns nothing.

New seals use the ring's current key. A sealed secret opens with any key of the ring: each is tried,
current first, and AES-GCM's tag tells the one that sealed it, so the layout names no key and
secrets sealed before key rotation (under PROTOCOLO_SECRET_KEY, the key `k0`) open unchanged. A
rotation keeps every sealed secret readable while its key stays in the ring; once that key is
retired, the secrets it sealed no longer open (the integrators must rotate theirs).

Layout: version byte 0x01, 12-byte random nonce, ciphertext and tag.
"""

from __future__ import annotations

__all__ = ["Cofre"]

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from protocolo.chaveiro import Chaveiro
from protocolo.errors import SealedSecretUnreadable

_VERSAO = b"\x01"


def _aead(segredo_plataforma: bytes, proposito: str) -> AESGCM:
    chave = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"protocolo/{proposito}/v1".encode()
    ).derive(segredo_plataforma)
    return AESGCM(chave)


class Cofre:
    """Seals and opens secrets for one purpose (`proposito`) with keys derived from the key ring."""

    def __init__(self, chaveiro: Chaveiro, proposito: str) -> None:
        # Current key first: it sealed every secret since the last rotation, so it usually opens at once.
        self._aeads = [_aead(chave.segredo, proposito) for chave in chaveiro]

    def selar(self, segredo: bytes, *, vinculo: str) -> bytes:
        """`segredo` encrypted under the current key and bound to `vinculo` (the id of its record)."""
        nonce = os.urandom(12)
        return _VERSAO + nonce + self._aeads[0].encrypt(nonce, segredo, vinculo.encode())

    def abrir(self, selado: bytes, *, vinculo: str) -> bytes:
        """The secret sealed by `selar` under any key of the ring with the same `vinculo`;
        SealedSecretUnreadable otherwise."""
        if selado[:1] != _VERSAO or len(selado) < 1 + 12 + 16:
            raise SealedSecretUnreadable("segredo selado em formato desconhecido")
        for aead in self._aeads:
            try:
                return aead.decrypt(selado[1:13], selado[13:], vinculo.encode())
            except InvalidTag:
                continue
        raise SealedSecretUnreadable("segredo selado não abre com nenhuma chave do servidor")
