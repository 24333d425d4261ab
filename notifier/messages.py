"""E-mail rendering: a pt-BR text and HTML message per (movimento, subscriber). Pure.

The Message-ID is derived from the movimento and the subscription, so a resent e-mail carries the
same id and a sent-log can tell whether it already went out.
"""

from __future__ import annotations

__all__ = ["Inscrito", "message_id", "render_email"]

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
    """A confirmed subscription: its key (keyed hash of nup+e-mail) and where to write."""

    chave: str
    nup: str
    email: str


def message_id(movimento_id: str, chave_inscricao: str, dominio: str) -> str:
    """A deterministic Message-ID for one movimento sent to one subscription."""
    resumo = hashlib.sha256(f"{movimento_id}\n{chave_inscricao}".encode()).hexdigest()[:40]
    return f"<{resumo}@{dominio}>"


def _unidade(unidade: dict[str, Any] | None) -> str | None:
    if not unidade:
        return None
    nome, sigla = unidade.get("nome"), unidade.get("sigla")
    if nome and sigla:
        return f"{nome} ({sigla})"
    return str(nome or sigla or unidade["codigo"])


def render_email(
    movimento: dict[str, Any], inscrito: Inscrito, *, remetente: str, base_url: str
) -> EmailMessage:
    """The e-mail that tells `inscrito` about `movimento`."""
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
    mensagem = EmailMessage()
    mensagem["Subject"] = f"Processo {nup}: {operacao}"
    mensagem["From"] = remetente
    mensagem["To"] = inscrito.email
    mensagem["Date"] = format_datetime(datetime.now(UTC))
    dominio = remetente.rsplit("@", 1)[-1].rstrip(">") or "protocolo.localhost"
    mensagem["Message-ID"] = message_id(movimento["id"], inscrito.chave, dominio)
    mensagem["Auto-Submitted"] = "auto-generated"
    mensagem.set_content(_ambiente.get_template("movimento.txt").render(contexto))
    mensagem.add_alternative(_ambiente.get_template("movimento.html").render(contexto), subtype="html")
    return mensagem
