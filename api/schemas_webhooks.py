"""Models of the integrators' webhooks API (/api/v1/webhooks)."""

from __future__ import annotations

__all__ = ["AlvoPublic", "SegredoNovo", "SegredoPublic", "WebhookCreate", "WebhookCriado", "WebhookPublic"]

from datetime import datetime

from pydantic import BaseModel, Field


class WebhookCreate(BaseModel):
    """A registration: where to deliver, and exactly one thing to follow."""

    url: str = Field(
        description="Endpoint HTTPS que recebe as entregas (http só em hosts locais, em desenvolvimento)",
        examples=["https://sistema.exemplo.org/protocolo/webhook"],
    )
    nup: str | None = Field(
        default=None, description="Acompanhar um processo pelo NUP", examples=["23037.001462/2021-65"]
    )
    alerta: str | None = Field(
        default=None,
        description=(
            "Acompanhar uma busca salva: os parâmetros de GET /api/v1/processos como na URL (q, nup, "
            "interessado, documento, orgao, assunto, tipo, situacao, ano, desde, ate, campo_data), ou o "
            "endereço de uma página de resultados do portal. Recebe cada movimentação dos processos "
            "públicos que a busca encontra"
        ),
        examples=["q=licitação&orgao=26000"],
    )
    orgao: str | None = Field(
        default=None, description="Acompanhar todas as movimentações públicas de um órgão", examples=["26000"]
    )


class AlvoPublic(BaseModel):
    """What a webhook follows."""

    tipo: str = Field(description="nup, orgao ou alerta", examples=["nup"])
    valor: str = Field(
        description="O NUP formatado, o código do órgão ou a busca descrita", examples=["26000"]
    )


class SegredoPublic(BaseModel):
    """A signing secret as the owner may see it: never the secret itself."""

    criado_em: datetime
    expira_em: datetime | None = Field(
        default=None, description="Até quando ainda assina as entregas (depois de uma rotação)"
    )


class WebhookPublic(BaseModel):
    """A webhook as its owner sees it."""

    id: str = Field(examples=["wh_5c1e0f3a9b2d4e61"])
    url: str = Field(examples=["https://sistema.exemplo.org/protocolo/webhook"])
    alvo: AlvoPublic
    situacao: str = Field(
        description=(
            "pendente (verificação de posse em andamento), ativo (recebe entregas), recusado (a "
            "verificação falhou) ou desativado (falhas demais seguidas)"
        ),
        examples=["ativo"],
    )
    motivo: str | None = Field(
        default=None,
        description="Por que está recusado ou desativado",
        examples=["verificação de posse falhou: tempo esgotado"],
    )
    criado_em: datetime
    segredos: list[SegredoPublic] = Field(description="Os segredos vigentes, o mais novo primeiro")


class WebhookCriado(WebhookPublic):
    """A new webhook, with its signing secret: shown only in this answer."""

    segredo: str = Field(
        description="Segredo de assinatura no formato Standard Webhooks; não será mostrado de novo",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class SegredoNovo(BaseModel):
    """The new secret of a rotation, shown only in this answer."""

    segredo: str = Field(
        description="O novo segredo (whsec_...); não será mostrado de novo",
        examples=["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
    )
    anteriores_expiram_em: datetime | None = Field(
        default=None,
        description="Até quando as entregas também levam a assinatura do segredo anterior",
    )
