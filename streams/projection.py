"""What the outside world may see of a processo: the public snapshot and movimento records. Pure.

Non-public processos (RESTRITO unless allowed, SIGILOSO always) become a bare removal order with
no data at all, so nothing private ever reaches the output topics.
"""

from __future__ import annotations

__all__ = ["eh_publico", "movimento_record", "snapshot_record"]

from functools import lru_cache
from typing import Any

from protocolo.fold import Processo
from protocolo.masking import hash_documento, mascarar_documento, mascarar_texto
from protocolo.model import Evento, NivelAcesso
from protocolo.referencia import Referencia
from streams.enriquecimento import Enriquecedor


def eh_publico(nivel: NivelAcesso, *, restrito_publico: bool) -> bool:
    """SIGILOSO never is; RESTRITO only when the setting allows it."""
    return nivel is NivelAcesso.PUBLICO or (restrito_publico and nivel is NivelAcesso.RESTRITO)


# Each snapshot masks its processo's assunto, names and observations again: the same texts, batch
# after batch. Profiled on the stream benchmark, the regex was ~5 % of the batch step. Bounded.
_mascarado = lru_cache(maxsize=16_384)(mascarar_texto)


def _mascarar(texto: str | None) -> str | None:
    return _mascarado(texto) if texto else texto


def _item_movimento(evento: Evento, ref: Enriquecedor) -> dict[str, Any]:
    return {
        "id": evento.chave_identidade,
        "nup": evento.nup,
        "orgao": evento.orgao,
        "orgao_nome": ref.nome_orgao(evento.orgao),
        "tipo": evento.tipo.value,
        "operacao": evento.operacao.value,
        "ocorrido_em": evento.ocorrido_em,
        "unidade_origem": ref.unidade(evento.orgao, evento.unidade_origem),
        "unidade_destino": ref.unidade(evento.orgao, evento.unidade_destino),
        "observacao": _mascarar(evento.observacao),
        "nup_relacionado": evento.nup_relacionado,
    }


def movimento_record(
    evento: Evento, processo: Processo, referencia: Referencia, *, desconhecidos: set[str] | None = None
) -> dict[str, Any]:
    """The `movimento` record of one public event, CPFs masked; unknown codes go to `desconhecidos`."""
    ref = Enriquecedor(referencia, set() if desconhecidos is None else desconhecidos)
    return {
        **_item_movimento(evento, ref),
        "assunto": _mascarar(processo.assunto),
        "processo_versao": processo.versao,
    }


def snapshot_record(
    processo: Processo,
    referencia: Referencia,
    *,
    segredo: bytes,
    restrito_publico: bool,
    desconhecidos: set[str] | None = None,
) -> dict[str, Any]:
    """The `processo` record: full public state, or a removal order when the processo is not public.

    Names come from the reference data; codes it lacks are added to `desconhecidos`.
    """
    if not eh_publico(processo.nivel_acesso, restrito_publico=restrito_publico):
        return {"nup": processo.nup, "versao": processo.versao, "publico": False}
    ref = Enriquecedor(referencia, set() if desconhecidos is None else desconhecidos)
    return {
        "nup": processo.nup,
        "versao": processo.versao,
        "publico": True,
        "tipo": processo.tipo.value,
        "orgao": processo.orgao,
        "orgao_nome": ref.nome_orgao(processo.orgao),
        "orgao_atual": processo.orgao_atual,
        "orgao_atual_nome": ref.nome_orgao(processo.orgao_atual),
        "nivel_acesso": processo.nivel_acesso.value,
        "situacao": processo.situacao.value,
        "especie": _mascarar(processo.especie),
        "assunto": _mascarar(processo.assunto),
        "interessados": [
            {
                "nome": _mascarado(i.nome),
                "documento_mascarado": mascarar_documento(i.documento) if i.documento else None,
                "documento_hash": hash_documento(segredo, i.documento) if i.documento else None,
            }
            for i in processo.interessados
        ],
        "localizacao": ref.unidade(processo.orgao_atual, processo.localizacao),
        "em_transito": processo.em_transito,
        "autuado_em": processo.autuado_em,
        "atualizado_em": processo.atualizado_em,
        "ultima_operacao": processo.ultima_operacao.value,
        "anexado_a": processo.anexado_a,
        "relacionados": list(processo.relacionados),
        "documentos": list(processo.documentos),
        "unidades": [ref.unidade(processo.orgao_atual, u) for u in processo.unidades],
        "dias_movimentados": list(processo.dias_movimentados),
        "observacoes_recentes": [_mascarado(o) for o in processo.observacoes],
    }
