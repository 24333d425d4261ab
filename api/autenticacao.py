"""Bearer-token checks shared by the agencies' gateway and the integrators' webhooks API."""

from __future__ import annotations

__all__ = ["NAO_AUTENTICADO", "exigir_credencial"]

from typing import TypeVar

from fastapi import HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials

from protocolo.credenciais import ComToken, Credenciais
from protocolo.topico_compactado import TabelaViva

NAO_AUTENTICADO = "Token ausente, inválido ou revogado. Envie 'Authorization: Bearer <token>'."

C = TypeVar("C", bound=ComToken)


def exigir_credencial(
    tabela: TabelaViva[C, Credenciais[C]],
    segredo: bytes,
    credenciais: HTTPAuthorizationCredentials | None,
    *,
    iniciando: str,
) -> C:
    """The active credential the request's bearer token proves; 503 while loading, 401 otherwise."""
    if not tabela.carregada:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, iniciando, headers={"Retry-After": "5"})
    credencial = tabela.atual.autenticar(segredo, credenciais.credentials) if credenciais else None
    if credencial is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, NAO_AUTENTICADO, headers={"WWW-Authenticate": "Bearer"}
        )
    return credencial
