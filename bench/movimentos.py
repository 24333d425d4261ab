"""The public movimento records (and processo snapshots) the delivery benchmarks and tests hand to their
service."""

from __future__ import annotations

__all__ = ["T0", "movimento", "snapshot_publico"]

from datetime import UTC, datetime, timedelta
from typing import Any

from protocolo.chaveiro import Segredo
from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo
from protocolo.referencia import carregar_referencia
from streams.projection import snapshot_record

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


def snapshot_publico(nup: str, versao: int, *, assunto: str, segredo: Segredo) -> dict[str, Any]:
    """The public snapshot of `nup` after `versao` events (an autuação with `assunto`, then envios),
    projected by the streams' own code."""
    eventos = [
        Evento(
            id=f"bench-{nup}-{n}",
            orgao="26000",
            nup=nup,
            tipo=TipoProtocolo.PROCESSO,
            operacao=Operacao.AUTUACAO if n == 1 else Operacao.ENVIO,
            ocorrido_em=T0 + timedelta(minutes=n),
            nivel_acesso=NivelAcesso.PUBLICO,
            assunto=assunto if n == 1 else None,
        )
        for n in range(1, versao + 1)
    ]
    return snapshot_record(
        fold_processo(eventos), carregar_referencia(), segredo=segredo, restrito_publico=False
    )
