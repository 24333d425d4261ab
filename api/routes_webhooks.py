"""The integrators' webhooks: register, list, read, remove, rotate the secret (bearer token)."""

from __future__ import annotations

__all__ = ["router"]

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.autenticacao import exigir_credencial
from api.deps import Recursos, RecursosDep
from api.schemas_webhooks import SegredoNovo, WebhookCreate, WebhookCriado, WebhookPublic
from api.webhooks_registro import publico, registrar, remover, rotacionar_segredo
from protocolo.integradores import Integrador
from protocolo.webhooks import Webhook

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/webhooks", tags=["integradores"])
_bearer = HTTPBearer(
    auto_error=False, description="Token do integrador (protocolo integradores token create)"
)

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "Token ausente, inválido ou revogado"},
    503: {
        "description": "API iniciando ou broker indisponível: tente de novo depois de Retry-After segundos"
    },
}
_ID = Path(description="O id do webhook", examples=["wh_5c1e0f3a9b2d4e61"], pattern=r"^wh_[0-9a-f]{16}$")


async def _autenticar(
    recursos: RecursosDep,
    credenciais: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Integrador:
    segredo = recursos.settings.secret_key.get_secret_value().encode()
    return exigir_credencial(
        recursos.integradores, segredo, credenciais, iniciando="API iniciando; tente novamente em instantes."
    )


IntegradorDep = Annotated[Integrador, Depends(_autenticar)]


def _pronta(recursos: Recursos) -> None:
    if not (recursos.webhooks.carregada and recursos.webhooks_estados.carregada):
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Webhooks carregando; tente novamente em instantes.",
            headers={"Retry-After": "5"},
        )


def _do_dono(recursos: Recursos, integrador: Integrador, id_: str) -> Webhook:
    _pronta(recursos)
    webhook = recursos.webhooks.atual.get(id_)
    # Another integrator's webhook is answered exactly like a missing one.
    if webhook is None or webhook.integrador != integrador.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Webhook não encontrado.")
    return webhook


@router.post(
    "",
    response_model=WebhookCriado,
    status_code=status.HTTP_201_CREATED,
    summary="Registrar um webhook (integradores)",
    responses={
        201: {"description": "Registrado, pendente da verificação de posse; o segredo aparece só aqui"},
        422: {"description": "url, alvo ou NUP inválido, mais de um alvo, ou alvo ainda não disponível"},
        **_AUTH,
    },
)
async def create_webhook(
    recursos: RecursosDep, integrador: IntegradorDep, pedido: WebhookCreate
) -> WebhookCriado:
    """Register an endpoint for one processo (`nup`) or one órgão (`orgao`).

    The platform then checks ownership: `GET url?hub.mode=subscribe&hub.topic=...&hub.challenge=RANDOM`
    must answer 2xx with RANDOM as its body. Deliveries start only after that (`situacao: ativo`).
    Each delivery is signed as Standard Webhooks specifies, with the secret in this answer.
    """
    _pronta(recursos)
    webhook, segredo = await registrar(recursos, integrador.id, pedido)
    logger.info(
        "webhook registered webhook=%s integrador=%s alvo=%s", webhook.id, integrador.id, webhook.alvo.tipo
    )
    corpo = publico(webhook, None, datetime.now(UTC))
    return WebhookCriado(**corpo.model_dump(), segredo=segredo)


@router.get(
    "",
    response_model=list[WebhookPublic],
    summary="Listar os webhooks do integrador",
    responses={200: {"description": "Os webhooks deste token, do mais antigo ao mais novo"}, **_AUTH},
)
async def read_webhooks(recursos: RecursosDep, integrador: IntegradorDep) -> list[WebhookPublic]:
    """Every webhook of this integrator, with its situation (pendente, ativo, recusado, desativado)."""
    _pronta(recursos)
    agora = datetime.now(UTC)
    estados = recursos.webhooks_estados.atual
    proprios = [w for w in recursos.webhooks.atual.values() if w.integrador == integrador.id]
    return [publico(w, estados.get(w.id), agora) for w in sorted(proprios, key=lambda w: (w.criado_em, w.id))]


@router.get(
    "/{id_}",
    response_model=WebhookPublic,
    summary="Ler um webhook",
    responses={404: {"description": "Não existe, ou é de outro integrador"}, **_AUTH},
)
async def read_webhook(
    recursos: RecursosDep, integrador: IntegradorDep, id_: Annotated[str, _ID]
) -> WebhookPublic:
    """One webhook of this integrator, with its situation and the reason when refused or disabled."""
    webhook = _do_dono(recursos, integrador, id_)
    return publico(webhook, recursos.webhooks_estados.atual.get(webhook.id), datetime.now(UTC))


@router.delete(
    "/{id_}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remover um webhook",
    responses={
        204: {"description": "Removido: nada mais é entregue a ele"},
        404: {"description": "Não existe"},
        **_AUTH,
    },
)
async def delete_webhook(
    recursos: RecursosDep, integrador: IntegradorDep, id_: Annotated[str, _ID]
) -> Response:
    """Remove a webhook; deliveries still queued for it are dropped."""
    webhook = _do_dono(recursos, integrador, id_)
    await remover(recursos, webhook)
    logger.info("webhook removed webhook=%s integrador=%s", webhook.id, integrador.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{id_}/segredo",
    response_model=SegredoNovo,
    status_code=status.HTTP_201_CREATED,
    summary="Trocar o segredo de assinatura de um webhook",
    responses={
        201: {"description": "O novo segredo, mostrado só aqui"},
        404: {"description": "Não existe, ou é de outro integrador"},
        **_AUTH,
    },
)
async def rotate_segredo(
    recursos: RecursosDep, integrador: IntegradorDep, id_: Annotated[str, _ID]
) -> SegredoNovo:
    """Make a new signing secret; until `anteriores_expiram_em` deliveries carry both signatures.

    Deploy the new secret on the receiver during the overlap (PROTOCOLO_WEBHOOKS_SOBREPOSICAO_SEGREDO_H,
    24 hours by default): a receiver that knows either secret verifies every delivery.
    """
    webhook = _do_dono(recursos, integrador, id_)
    rotacionado, segredo = await rotacionar_segredo(recursos, webhook)
    anteriores = [s.expira_em for s in rotacionado.segredos[1:] if s.expira_em]
    logger.info("webhook secret rotated webhook=%s integrador=%s", webhook.id, integrador.id)
    return SegredoNovo(segredo=segredo, anteriores_expiram_em=max(anteriores) if anteriores else None)
