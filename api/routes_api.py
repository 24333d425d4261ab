"""JSON API under /api/v1."""

from __future__ import annotations

__all__ = ["router"]

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import RecursosDep
from api.schemas import BuscaResultado, InscricaoAceita, InscricaoCreate, ProcessoPublic
from api.service import buscar, inscrever, ler_processo
from protocolo.nup import parse_nup

router = APIRouter(prefix="/api/v1", tags=["consulta"])

NAO_ENCONTRADO = "Processo não encontrado. Confira o número ou tente a busca por texto."
MENSAGEM_INSCRICAO = "Inscrição registrada. Você receberá um e-mail a cada nova movimentação deste processo."


@router.get("/processos", response_model=BuscaResultado, summary="Consulta processos")
async def read_processos(
    recursos: RecursosDep,
    q: Annotated[
        str | None, Query(max_length=500, description="Texto livre ou NUP em qualquer formato")
    ] = None,
    tamanho: Annotated[int, Query(ge=1, le=100)] = 20,
    inicio: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> BuscaResultado:
    """Consulta Simples: every word must match (accents and case ignored), or a NUP finds its processo."""
    return await buscar(recursos, q, tamanho=tamanho, inicio=inicio)


@router.get("/processos/{nup:path}", response_model=ProcessoPublic, summary="Um processo e seu histórico")
async def read_processo(recursos: RecursosDep, nup: str) -> ProcessoPublic:
    """A processo by NUP (any accepted format), with its historico ordered by time."""
    processo = await ler_processo(recursos, parse_nup(nup).digitos)
    if processo is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NAO_ENCONTRADO)
    return processo


@router.post(
    "/inscricoes",
    response_model=InscricaoAceita,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Acompanhar um processo por e-mail",
)
async def create_inscricao(recursos: RecursosDep, inscricao: InscricaoCreate) -> InscricaoAceita:
    """Subscribe an e-mail address to a public processo's movements; the address is never echoed."""
    nup = parse_nup(inscricao.nup).digitos
    if await ler_processo(recursos, nup) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NAO_ENCONTRADO)
    await inscrever(recursos, nup, inscricao.email)
    return InscricaoAceita(mensagem=MENSAGEM_INSCRICAO)
