"""E-mail rendering: pt-BR text and HTML messages for movements and confirmations. Pure.

The Message-ID is derived from what the message is about and the subscription, so a resent
e-mail carries the same id and enviadas can tell whether it already went out. Every message
carries a one-click unsubscribe link (RFC 8058: List-Unsubscribe + List-Unsubscribe-Post).
"""

from __future__ import annotations

__all__ = [
    "Inscrito",
    "message_id",
    "dominio_de",
    "montar_email",
    "render_confirmacao",
    "render_email",
]

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from protocolo.model import Operacao
from protocolo.nup import parse_nup

_BRASILIA = ZoneInfo("America/Sao_Paulo")
_ambiente = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Inscrito:
    """A subscription to mail: its key (keyed hash of nup+e-mail) and where to write."""

    chave: str
    nup: str
    email: str


def message_id(assunto_id: str, chave_inscricao: str, dominio: str) -> str:
    """A deterministic Message-ID for one thing (a movimento id, a confirmation) sent to one subscription."""
    resumo = hashlib.sha256(f"{assunto_id}\n{chave_inscricao}".encode()).hexdigest()[:40]
    return f"<{resumo}@{dominio}>"


def _dominio(remetente: str) -> str:
    return remetente.rsplit("@", 1)[-1].rstrip(">") or "protocolo.localhost"


def _unidade(unidade: dict[str, Any] | None) -> str | None:
    if not unidade:
        return None
    nome, sigla = unidade.get("nome"), unidade.get("sigla")
    if nome and sigla:
        return f"{nome} ({sigla})"
    return str(nome or sigla or unidade["codigo"])


def _montar(
    *,
    assunto: str,
    remetente: str,
    para: str,
    mid: str,
    modelo: str,
    contexto: dict[str, Any],
    link_cancelar: str | None,
) -> EmailMessage:
    mensagem = EmailMessage()
    mensagem["Subject"] = assunto
    mensagem["From"] = remetente
    mensagem["To"] = para
    mensagem["Date"] = format_datetime(datetime.now(UTC))
    mensagem["Message-ID"] = mid
    mensagem["Auto-Submitted"] = "auto-generated"
    if link_cancelar:
        mensagem["List-Unsubscribe"] = f"<{link_cancelar}>"
        mensagem["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    contexto = {**contexto, "link_cancelar": link_cancelar}
    mensagem.set_content(_ambiente.get_template(f"{modelo}.txt").render(contexto))
    mensagem.add_alternative(_ambiente.get_template(f"{modelo}.html").render(contexto), subtype="html")
    return mensagem


def montar_email(
    *,
    assunto: str,
    remetente: str,
    para: str,
    mid: str,
    modelo: str,
    contexto: dict[str, Any],
    link_cancelar: str | None,
) -> EmailMessage:
    """A text + HTML message from the templates `modelo`.txt/.html, with the unsubscribe headers."""
    return _montar(
        assunto=assunto,
        remetente=remetente,
        para=para,
        mid=mid,
        modelo=modelo,
        contexto=contexto,
        link_cancelar=link_cancelar,
    )


def dominio_de(remetente: str) -> str:
    """The domain of the sender's address, for Message-IDs."""
    return _dominio(remetente)


def render_email(
    movimento: dict[str, Any],
    inscrito: Inscrito,
    *,
    remetente: str,
    base_url: str,
    link_cancelar: str | None = None,
) -> EmailMessage:
    """The e-mail that tells `inscrito` about `movimento`; with `link_cancelar`, the unsubscribe headers."""
    nup = parse_nup(movimento["nup"]).formatado
    quando: datetime = movimento["ocorrido_em"]
    try:
        operacao = Operacao(movimento["operacao"]).descricao
    except ValueError:
        operacao = movimento["operacao"]
    contexto = {
        "nup": nup,
        "assunto": movimento.get("assunto"),
        "operacao": operacao,
        "origem": _unidade(movimento.get("unidade_origem")),
        "destino": _unidade(movimento.get("unidade_destino")),
        "orgao": movimento.get("orgao_nome") or movimento["orgao"],
        "quando": quando.astimezone(_BRASILIA).strftime("%d/%m/%Y às %H:%M"),
        "observacao": movimento.get("observacao"),
        "link": f"{base_url.rstrip('/')}/processos/{nup}",
    }
    return _montar(
        assunto=f"Processo {nup}: {operacao}",
        remetente=remetente,
        para=inscrito.email,
        mid=message_id(movimento["id"], inscrito.chave, _dominio(remetente)),
        modelo="movimento",
        contexto=contexto,
        link_cancelar=link_cancelar,
    )


def render_confirmacao(
    inscrito: Inscrito,
    *,
    solicitada_em: datetime,
    expira_em: datetime,
    operacoes: frozenset[str] | None,
    remetente: str,
    base_url: str,
    link_confirmar: str,
    link_cancelar: str,
) -> EmailMessage:
    """The double opt-in e-mail: the link that confirms, until `expira_em`; one per request."""
    nup = parse_nup(inscrito.nup).formatado
    nomes = sorted(Operacao(o).descricao for o in operacoes) if operacoes else None
    contexto = {
        "nup": nup,
        "link_confirmar": link_confirmar,
        "expira": expira_em.astimezone(_BRASILIA).strftime("%d/%m/%Y às %H:%M"),
        "operacoes": ", ".join(nomes) if nomes else None,
        "link": f"{base_url.rstrip('/')}/processos/{nup}",
    }
    pedido = f"confirmacao:{int(solicitada_em.timestamp() * 1000)}"
    return _montar(
        assunto=f"Confirme: acompanhar o processo {nup}",
        remetente=remetente,
        para=inscrito.email,
        mid=message_id(pedido, inscrito.chave, _dominio(remetente)),
        modelo="confirmacao",
        contexto=contexto,
        link_cancelar=link_cancelar,
    )
