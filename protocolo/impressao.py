"""The content fingerprint that tells an exact resend from a conflict. Pure.

Two events with one identity (orgao, id) are the same event when their fingerprints match, and a
conflict when they differ. The fingerprint is a digest of the event's Avro body under the current
`evento` schema: the raw topic's own bytes, so the streams hash each message without re-encoding it.
Avro carries `ocorrido_em` as UTC milliseconds, so the same instant written with another offset is
the same content; text is compared as sent (a resend with other spacing is other content).
"""

from __future__ import annotations

__all__ = ["impressao", "impressao_mensagem"]

import hashlib

from protocolo.avro import Catalogo, catalogo_padrao
from protocolo.model import Evento
from protocolo.registros import evento_to_avro


def _digest(corpo: bytes) -> bytes:
    return hashlib.blake2b(corpo, digest_size=16).digest()


def impressao(evento: Evento, catalogo: Catalogo | None = None) -> bytes:
    """The 16-byte fingerprint of an event as our producers encode it."""
    catalogo = catalogo or catalogo_padrao()
    return _digest(catalogo.encode("evento", evento_to_avro(evento))[10:])


def impressao_mensagem(catalogo: Catalogo, valor: bytes, evento: Evento) -> bytes:
    """The fingerprint of a raw-topic message whose decoded event is `evento`: its own body when it
    was written with the current schema (no re-encoding), else the event's as we would encode it."""
    if catalogo.escrito_com_atual("evento", valor):
        return _digest(valor[10:])
    return impressao(evento, catalogo)
