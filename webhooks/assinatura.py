"""Standard Webhooks signatures: `webhook-id`, `webhook-timestamp`, `webhook-signature`. Pure.

The signed content is `<id>.<timestamp>.<body>`, HMAC-SHA256 with each live secret, each
signature written `v1,<base64>` and separated by spaces: during a rotation's overlap a receiver
that knows either secret verifies (the specification allows several signatures).
"""

from __future__ import annotations

__all__ = ["assinar", "cabecalhos"]

import base64
import hashlib
import hmac
from collections.abc import Sequence


def assinar(segredo: bytes, *, msg_id: str, timestamp: int, corpo: bytes) -> str:
    """One `v1,<base64>` signature."""
    conteudo = f"{msg_id}.{timestamp}.".encode() + corpo
    return "v1," + base64.b64encode(hmac.new(segredo, conteudo, hashlib.sha256).digest()).decode()


def cabecalhos(msg_id: str, timestamp: int, corpo: bytes, segredos: Sequence[bytes]) -> dict[str, str]:
    """The headers of one delivery attempt, signed with every secret in `segredos`."""
    if not segredos:
        raise ValueError("a delivery needs at least one secret")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            assinar(s, msg_id=msg_id, timestamp=timestamp, corpo=corpo) for s in segredos
        ),
        "content-type": "application/json",
        "user-agent": "protocolo-webhooks/1",
    }
