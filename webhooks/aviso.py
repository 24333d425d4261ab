"""The e-mail that tells an integrator one of its webhooks was disabled. Pure.

Its Message-ID is derived from the webhook, so the e-mail sent again after a crash is the same
message (a relay or client drops the repeat).
"""

from __future__ import annotations

__all__ = ["render_desativacao"]

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from protocolo.webhooks import Webhook


def _dominio(remetente: str) -> str:
    return remetente.rsplit("@", 1)[-1].rstrip(">") or "protocolo.localhost"


def render_desativacao(
    webhook: Webhook, *, para: str, nome: str, falhas: int, motivo: str, remetente: str, base_url: str
) -> EmailMessage:
    """The pt-BR notice that `webhook` stopped receiving deliveries after `falhas` failures."""
    mensagem = EmailMessage()
    resumo = hashlib.sha256(f"webhook-desativado\n{webhook.id}".encode()).hexdigest()[:40]
    mensagem["Subject"] = f"Webhook desativado: {webhook.url}"
    mensagem["From"] = remetente
    mensagem["To"] = para
    mensagem["Date"] = format_datetime(datetime.now(UTC))
    mensagem["Message-ID"] = f"<{resumo}@{_dominio(remetente)}>"
    mensagem["Auto-Submitted"] = "auto-generated"
    mensagem.set_content(
        f"Olá, {nome}.\n\n"
        f"O webhook {webhook.id} ({webhook.url}), que acompanha {webhook.alvo.tipo.value} "
        f"{webhook.alvo.valor}, foi desativado depois de {falhas} tentativas de entrega seguidas sem "
        f"sucesso. Última falha: {motivo}.\n\n"
        "Nenhuma entrega será feita a este endereço. Quando o endpoint voltar a responder, remova o "
        "webhook (DELETE /api/v1/webhooks/{id}) e registre-o de novo: a verificação de posse será "
        "refeita e as novas movimentações voltarão a ser entregues.\n\n"
        f"Documentação: {base_url.rstrip('/')}/docs\n\n"
        "Esta é uma mensagem automática; não responda.\n"
    )
    return mensagem
