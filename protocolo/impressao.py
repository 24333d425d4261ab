"""The content fingerprint that tells an exact resend from a conflict. Pure.

Two events with one identity (orgao, id) are the same event when their fingerprints match, and a
conflict when they differ. The gateway, the streams and the tests all use this one function.
"""

from __future__ import annotations

__all__ = ["impressao"]

import hashlib
import json
from datetime import UTC

from protocolo.model import Evento
from protocolo.validation import evento_to_json


def impressao(evento: Evento) -> bytes:
    """A 16-byte digest of the event's content as the raw topic carries it (UTC, millisecond precision)."""
    instante = evento.ocorrido_em.astimezone(UTC)
    forma = evento_to_json(evento)
    forma["ocorrido_em"] = instante.replace(microsecond=instante.microsecond // 1000 * 1000).isoformat()
    # evento_to_json builds its dicts in a fixed order: the text is canonical without sorting.
    return hashlib.blake2b(json.dumps(forma).encode(), digest_size=16).digest()
