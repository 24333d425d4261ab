"""Use cases shared by the JSON API and the portal: search, read a processo, subscribe."""

from __future__ import annotations

__all__ = ["InscricaoInvalida", "buscar", "inscrever", "ler_processo"]

import asyncio
import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any

from elasticsearch import NotFoundError

from api.deps import Recursos
from api.queries import consulta_simples
from api.schemas import BuscaResultado, ProcessoPublic, ProcessoResumo
from protocolo.errors import ProtocoloError, PublishError
from protocolo.nup import parse_nup

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class InscricaoInvalida(ProtocoloError, ValueError):
    """A subscription request with an unusable e-mail address."""


async def buscar(recursos: Recursos, q: str | None, *, tamanho: int = 20, inicio: int = 0) -> BuscaResultado:
    """Consulta Simples: newest movement first."""
    resposta = await recursos.es.search(
        index=recursos.settings.search.alias("processos"),
        query=consulta_simples(q),
        size=tamanho,
        from_=inicio,
        sort=["_score", {"atualizado_em": "desc"}, {"nup": "asc"}],
        source_excludes=["historico", "interessados.documento_hash"],
        track_total_hits=True,
    )
    hits = resposta["hits"]
    return BuscaResultado(
        total=hits["total"]["value"],
        items=[ProcessoResumo.model_validate(h["_source"]) for h in hits["hits"]],
    )


async def ler_processo(recursos: Recursos, nup_digitos: str) -> ProcessoPublic | None:
    """A public processo by its NUP digits, or None (also when it exists but is not public)."""
    try:
        resposta = await recursos.es.get(index=recursos.settings.search.alias("processos"), id=nup_digitos)
    except NotFoundError:
        return None
    fonte: dict[str, Any] = resposta["_source"]
    if not fonte.get("publico"):
        return None
    fonte["historico"] = sorted(fonte.get("historico", []), key=lambda m: (m["ocorrido_em"], m["id"]))
    return ProcessoPublic.model_validate(fonte)


def chave_inscricao(segredo: bytes, nup: str, email: str) -> str:
    """Keyed hash of (nup, e-mail): the subscription's key, which reveals neither."""
    return hmac.new(segredo, f"{nup}\n{email.strip().lower()}".encode(), hashlib.sha256).hexdigest()


async def inscrever(recursos: Recursos, nup_texto: str, email: str) -> None:
    """Record a subscription in the inscricoes topic; returns once the broker acknowledged it."""
    nup = parse_nup(nup_texto).digitos
    email = email.strip()
    if not _EMAIL.match(email):
        raise InscricaoInvalida("endereço de e-mail inválido")
    settings = recursos.settings
    registro = {"nup": nup, "email": email.lower(), "criada_em": datetime.now(UTC)}
    valor = recursos.catalogo.encode("inscricao", registro)
    chave = chave_inscricao(settings.secret_key.get_secret_value().encode(), nup, email)
    loop = asyncio.get_running_loop()
    confirmado: asyncio.Future[None] = loop.create_future()

    def _entregue(erro: Any, _mensagem: Any) -> None:
        if erro is None:
            loop.call_soon_threadsafe(confirmado.set_result, None)
        else:
            loop.call_soon_threadsafe(confirmado.set_exception, PublishError(str(erro)))

    recursos.producer.produce(settings.kafka.topics.inscricoes, key=chave, value=valor, on_delivery=_entregue)
    await loop.run_in_executor(None, recursos.producer.flush, 30.0)
    await asyncio.wait_for(confirmado, timeout=30)
