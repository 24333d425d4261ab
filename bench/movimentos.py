"""The public movimento records the delivery benchmarks (e-mail, webhooks) hand to their service."""

from __future__ import annotations

__all__ = ["T0", "movimento"]

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


def movimento(nup: str, n: int) -> dict[str, Any]:
    """The n-th movimento of `nup`, as the streams publish it."""
    return {
        "id": f"26000:bench-{nup}-{n}",
        "nup": nup,
        "orgao": "26000",
        "orgao_nome": "Ministério da Educação",
        "tipo": "PROCESSO",
        "operacao": "ENVIO" if n % 2 else "RECEBIMENTO",
        "ocorrido_em": T0 + timedelta(minutes=n),
        "unidade_origem": {"codigo": "110", "sigla": "PROT", "nome": "Protocolo Central"},
        "unidade_destino": {
            "codigo": "230",
            "sigla": "CGGP",
            "nome": "Coordenação-Geral de Gestão de Pessoas",
        },
        "observacao": None,
        "nup_relacionado": None,
        "assunto": "Solicitação de aposentadoria",
        "processo_versao": n,
    }
