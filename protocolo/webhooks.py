"""Integrators' webhooks: registrations, the deliverer's verdicts, URLs, secrets and ids. Pure.

A registration (`Webhook`) is written only by the API: who owns it, where to deliver, what it
follows (one `Alvo`: a processo's NUP, an órgão, or a saved-search alert), and its signing secrets
sealed at rest (protocolo.cifra). The deliverer writes its own verdict on each one (`EstadoWebhook`
on another topic): the ownership check passed (VERIFICADO) or failed (RECUSADO), or the endpoint
failed too often and was disabled (DESATIVADO). No verdict yet means the check is pending.

Secrets follow Standard Webhooks: 32 random bytes, shown once as `whsec_<base64>`. A rotation puts
a new secret first and keeps the older ones until `expira_em`, so during the overlap every delivery
carries one signature per live secret.
"""

from __future__ import annotations

__all__ = [
    "PROPOSITO_SEGREDOS",
    "Alvo",
    "EstadoWebhook",
    "SegredoSelado",
    "Situacao",
    "TipoAlvo",
    "Veredito",
    "Webhook",
    "alvo_de_busca",
    "descricao_alvo",
    "estado_from_avro",
    "estado_to_avro",
    "formatar_segredo",
    "id_entrega",
    "novo_id_webhook",
    "novo_segredo",
    "rotacionar",
    "situacao",
    "topico_alvo",
    "validar_url",
    "webhook_from_avro",
    "webhook_to_avro",
]

import base64
import hashlib
import ipaddress
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from protocolo.errors import InvalidWebhook
from protocolo.nup import parse_nup

URL_MAX = 2000
PROPOSITO_SEGREDOS = "webhooks-segredos"
"""The purpose label of the key that seals webhook secrets (protocolo.cifra)."""


class TipoAlvo(StrEnum):
    """What a webhook follows."""

    NUP = "nup"
    ORGAO = "orgao"
    ALERTA = "alerta"


@dataclass(frozen=True)
class Alvo:
    """One target: a NUP (digits), an órgão code, or a saved search: JSON with the normalised search
    the matcher reads (`consulta`, protocolo.alertas.consulta) and its pt-BR description (`descricao`)."""

    tipo: TipoAlvo
    valor: str


def alvo_de_busca(consulta: str, descricao: str) -> Alvo:
    """A saved-search target: the normalised search (`ConsultaAlerta.canonica`) and its pt-BR description."""
    return Alvo(
        TipoAlvo.ALERTA,
        json.dumps({"consulta": consulta, "descricao": descricao}, ensure_ascii=False, sort_keys=True),
    )


def descricao_alvo(alvo: Alvo) -> str:
    """What a webhook follows, for people: the NUP formatted, the órgão code, or the search described."""
    if alvo.tipo is TipoAlvo.NUP:
        return parse_nup(alvo.valor).formatado
    if alvo.tipo is TipoAlvo.ALERTA:
        try:
            return str(json.loads(alvo.valor)["descricao"])
        except (ValueError, KeyError, TypeError):
            return "busca salva ilegível"  # not what the API writes; shown, never a failure
    return alvo.valor


def topico_alvo(alvo: Alvo) -> str:
    """The `hub.topic` of the ownership check: `nup:<digits>`, `orgao:<code>` or `alerta:<description>`."""
    return (
        f"alerta:{descricao_alvo(alvo)}"
        if alvo.tipo is TipoAlvo.ALERTA
        else f"{alvo.tipo.value}:{alvo.valor}"
    )


@dataclass(frozen=True)
class SegredoSelado:
    """A signing secret as stored: sealed, with when it was made and until when it still signs."""

    selado: bytes
    criado_em: datetime
    expira_em: datetime | None = None

    def vigente(self, agora: datetime) -> bool:
        """Still used to sign at `agora`."""
        return self.expira_em is None or self.expira_em > agora


@dataclass(frozen=True)
class Webhook:
    """One registration, as the API writes it."""

    id: str
    integrador: str
    url: str
    alvo: Alvo
    segredos: tuple[SegredoSelado, ...]
    criado_em: datetime

    def vigentes(self, agora: datetime) -> tuple[SegredoSelado, ...]:
        """The secrets that sign a delivery made at `agora`, newest first."""
        return tuple(s for s in self.segredos if s.vigente(agora))


class Veredito(StrEnum):
    """The deliverer's verdict on a webhook."""

    VERIFICADO = "VERIFICADO"
    RECUSADO = "RECUSADO"
    DESATIVADO = "DESATIVADO"


@dataclass(frozen=True)
class EstadoWebhook:
    """The deliverer's latest verdict on one webhook, with its reason (pt-BR) and failure count."""

    webhook_id: str
    veredito: Veredito
    registrado_em: datetime
    motivo: str | None = None
    falhas: int = 0


class Situacao(StrEnum):
    """A webhook as its owner sees it."""

    PENDENTE = "pendente"
    ATIVO = "ativo"
    RECUSADO = "recusado"
    DESATIVADO = "desativado"


def situacao(estado: EstadoWebhook | None) -> Situacao:
    """What the owner is shown for a webhook whose latest verdict is `estado`."""
    if estado is None:
        return Situacao.PENDENTE
    return {
        Veredito.VERIFICADO: Situacao.ATIVO,
        Veredito.RECUSADO: Situacao.RECUSADO,
        Veredito.DESATIVADO: Situacao.DESATIVADO,
    }[estado.veredito]


def _host_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        endereco = ipaddress.ip_address(host)
    except ValueError:
        return False
    return endereco.is_loopback


def _host_interno(host: str) -> bool:
    try:
        endereco = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    return not endereco.is_global


def validar_url(url: str, *, desenvolvimento: bool) -> str:
    """The endpoint URL, checked: https; http only on loopback hosts and only in development.

    Plain http exists for local development (a receiver on the integrator's own machine, where there
    is no certificate). In production, addresses that are not public (loopback, private ranges,
    link-local, `localhost`) are refused for any scheme: the platform must not be made to call its
    own network. InvalidWebhook (pt-BR) otherwise.
    """
    url = url.strip()
    if not url or len(url) > URL_MAX:
        raise InvalidWebhook(f"URL vazia ou longa demais (máximo {URL_MAX} caracteres)")
    try:
        partes = urlsplit(url)
        host = (partes.hostname or "").lower()
        _porta = partes.port
    except ValueError as exc:
        raise InvalidWebhook("URL inválida: host ou porta malformados") from exc
    if partes.scheme not in ("https", "http") or not host:
        raise InvalidWebhook("URL deve ser absoluta, com https:// e um host")
    if partes.username is not None or partes.password is not None:
        raise InvalidWebhook("URL não pode conter usuário ou senha")
    if partes.fragment:
        raise InvalidWebhook("URL não pode conter fragmento (#...)")
    local = _host_local(host)
    if not desenvolvimento and _host_interno(host):
        raise InvalidWebhook("URL deve apontar para um endereço público")
    if partes.scheme == "http" and not (desenvolvimento and local):
        raise InvalidWebhook(
            "URL deve usar https; http só é aceito em hosts locais (127.0.0.1, ::1, localhost), "
            "para desenvolvimento"
        )
    return url


def novo_id_webhook() -> str:
    """A new registration id."""
    return f"wh_{secrets.token_hex(8)}"


def novo_segredo() -> bytes:
    """A new signing secret: 32 random bytes (Standard Webhooks asks for 24 to 64)."""
    return secrets.token_bytes(32)


def formatar_segredo(segredo: bytes) -> str:
    """A secret as integrators see it once: `whsec_<base64>`."""
    return "whsec_" + base64.b64encode(segredo).decode()


def id_entrega(movimento_id: str, webhook_id: str) -> str:
    """The `webhook-id` of a movimento's delivery to a webhook: the same on every retry and replay."""
    digest = hashlib.sha256(f"{movimento_id}\n{webhook_id}".encode()).digest()
    return "msg_" + base64.urlsafe_b64encode(digest[:18]).decode()


def rotacionar(webhook: Webhook, novo: SegredoSelado, *, agora: datetime, sobreposicao: timedelta) -> Webhook:
    """The webhook with `novo` first; older live secrets sign until `agora + sobreposicao`, then go."""
    fim = agora + sobreposicao
    antigos = tuple(
        replace(s, expira_em=min(fim, s.expira_em) if s.expira_em else fim) for s in webhook.vigentes(agora)
    )
    return replace(webhook, segredos=(novo, *(s for s in antigos if s.vigente(agora))))


def webhook_to_avro(webhook: Webhook) -> dict[str, Any]:
    """A registration as a `webhook` Avro record."""
    return {
        "id": webhook.id,
        "integrador": webhook.integrador,
        "url": webhook.url,
        "alvo_tipo": webhook.alvo.tipo.value,
        "alvo_valor": webhook.alvo.valor,
        "segredos": [
            {"selado": s.selado, "criado_em": s.criado_em, "expira_em": s.expira_em} for s in webhook.segredos
        ],
        "criado_em": webhook.criado_em,
    }


def webhook_from_avro(registro: dict[str, Any]) -> Webhook:
    """A `webhook` Avro record as a registration."""
    return Webhook(
        id=registro["id"],
        integrador=registro["integrador"],
        url=registro["url"],
        alvo=Alvo(TipoAlvo(registro["alvo_tipo"]), registro["alvo_valor"]),
        segredos=tuple(
            SegredoSelado(s["selado"], s["criado_em"], s.get("expira_em")) for s in registro["segredos"]
        ),
        criado_em=registro["criado_em"],
    )


def estado_to_avro(estado: EstadoWebhook) -> dict[str, Any]:
    """A verdict as a `webhook_estado` Avro record."""
    return {
        "webhook_id": estado.webhook_id,
        "veredito": estado.veredito.value,
        "motivo": estado.motivo,
        "falhas": estado.falhas,
        "registrado_em": estado.registrado_em,
    }


def estado_from_avro(registro: dict[str, Any]) -> EstadoWebhook:
    """A `webhook_estado` Avro record as a verdict."""
    return EstadoWebhook(
        webhook_id=registro["webhook_id"],
        veredito=Veredito(registro["veredito"]),
        registrado_em=registro["registrado_em"],
        motivo=registro.get("motivo"),
        falhas=registro.get("falhas", 0),
    )
