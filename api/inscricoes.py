"""Subscription use cases of the API: ask (double opt-in), confirm and cancel through signed links.

The API never sends e-mail: it writes subscription states to the inscricoes topic and the notifier
mails the confirmation of each PENDENTE record. To confirm or cancel it needs the record the link
points to, so it follows the topic live (`InscricoesVivas`), keyed by subscription key.

Keys and links name the secret they were made with (protocolo.chaveiro). A request finds the
subscription under any key of the ring; whatever it writes goes under the current key, and the
old one is removed (a request re-keys its subscription). A link finds its subscription also after
`protocolo inscricoes rekey` moved it.
"""

from __future__ import annotations

__all__ = [
    "MENSAGEM_PEDIDO",
    "InscricaoInvalida",
    "cancelar",
    "confirmar",
    "ler_link",
    "solicitar",
    "validar_pedido",
]

import asyncio
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from api.deps import Recursos
from protocolo import inscricoes as regras
from protocolo.errors import ProtocoloError, PublishError
from protocolo.inscricoes import Inscricao, chave_inscricao, chaves_possiveis, normalizar_operacoes
from protocolo.inscricoes_topico import mensagem_inscricao
from protocolo.links_inscricao import AcaoLink, verificar_link
from protocolo.nup import parse_nup

MENSAGEM_PEDIDO = (
    "Pedido recebido. Se o endereço puder receber mensagens, enviaremos um e-mail com um link para "
    "confirmar a inscrição. Nenhuma movimentação é enviada antes da confirmação."
)
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_ESPERA_TABELA_S = 5.0


class InscricaoInvalida(ProtocoloError, ValueError):
    """A subscription request with an unusable e-mail address or operation filter."""


async def _gravar(recursos: Recursos, chave: str, valor: bytes | None, *, remover: str | None = None) -> None:
    """Write one record (None = tombstone) and, after it, a tombstone for `remover`; both acknowledged."""
    settings = recursos.settings
    mensagens = [(chave.encode(), valor)]
    if remover is not None and remover != chave:
        mensagens.append((remover.encode(), None))
    erros = await recursos.entregador.entregar(
        settings.kafka.topics.inscricoes, mensagens, timeout_s=settings.api.gateway_timeout_s
    )
    erro = next((e for e in erros if e is not None), None)
    if erro is not None:
        raise PublishError(erro)


async def _gravar_remocoes(recursos: Recursos, chaves: list[str]) -> None:
    """Tombstones for these keys, all acknowledged."""
    settings = recursos.settings
    erros = await recursos.entregador.entregar(
        settings.kafka.topics.inscricoes,
        [(chave.encode(), None) for chave in chaves],
        timeout_s=settings.api.gateway_timeout_s,
    )
    erro = next((e for e in erros if e is not None), None)
    if erro is not None:
        raise PublishError(erro)


def _existente(recursos: Recursos, nup: str, endereco: str) -> Inscricao | None:
    """The subscription of this address to this processo, under whichever key of the ring made it."""
    for chave in chaves_possiveis(recursos.settings.chaveiro, nup, endereco):
        if (inscricao := recursos.inscricoes.buscar(chave)) is not None:
            return inscricao
    return None


def validar_pedido(email: str, operacoes: Iterable[str] | None) -> tuple[str, frozenset[str] | None]:
    """The normalised address and operation filter; InscricaoInvalida (pt-BR) when unusable."""
    endereco = email.strip().lower()
    if not _EMAIL.match(endereco):
        raise InscricaoInvalida("endereço de e-mail inválido")
    try:
        return endereco, normalizar_operacoes(operacoes)
    except ValueError as exc:
        raise InscricaoInvalida(str(exc)) from exc


async def solicitar(
    recursos: Recursos, nup_texto: str, email: str, *, operacoes: Iterable[str] | None, ip: str
) -> None:
    """Ask for a subscription: a PENDENTE record (the notifier mails the link), or nothing.

    Whatever the address's state, the caller answers the same: no one learns who follows what.
    """
    nup = parse_nup(nup_texto).digitos
    endereco, filtro = validar_pedido(email, operacoes)
    recursos.limites.verificar(ip=ip, email=endereco)
    chave = chave_inscricao(recursos.settings.chaveiro.atual, nup, endereco)
    reenvio = timedelta(minutes=recursos.settings.inscricao.reenvio_confirmacao_min)
    existente = _existente(recursos, nup, endereco)
    novo = regras.pedir(
        existente,
        chave=chave,
        nup=nup,
        email=endereco,
        operacoes=filtro,
        agora=datetime.now(UTC),
        reenvio=reenvio,
    )
    if novo is not None:
        anterior = existente.chave if existente is not None else None
        await _gravar(recursos, chave, mensagem_inscricao(novo)[1], remover=anterior)


def ler_link(recursos: Recursos, token: str, acao: AcaoLink) -> str:
    """The subscription key of a link; LinkInvalido or LinkExpirado (pt-BR pages say which)."""
    return verificar_link(recursos.settings.chaveiro, token, acao, datetime.now(UTC))


async def _buscar(recursos: Recursos, chave: str) -> Inscricao | None:
    """The subscription, waiting a moment for the live view to read a record written just now."""
    limite = time.monotonic() + _ESPERA_TABELA_S
    while True:
        inscricao = recursos.inscricoes.buscar(chave)
        if inscricao is not None or time.monotonic() > limite:
            return inscricao
        await asyncio.sleep(0.1)


async def confirmar(recursos: Recursos, chave: str) -> Inscricao:
    """Confirm a pending subscription (idempotent); ValueError when it is no longer pending."""
    existente = await _buscar(recursos, chave)
    novo = regras.confirmar(existente, datetime.now(UTC))
    if novo is not None:
        # Confirmed under the current key: a confirmation re-keys its subscription.
        novo = regras.rechavear(novo, recursos.settings.chaveiro) or novo
        assert existente is not None  # regras.confirmar raised otherwise
        await _gravar(recursos, novo.chave, mensagem_inscricao(novo)[1], remover=existente.chave)
        return novo
    assert existente is not None  # regras.confirmar raised otherwise
    return existente


async def cancelar(recursos: Recursos, chave: str) -> None:
    """Unsubscribe: a tombstone, which also erases the address from the topic. Idempotent.

    The key comes from a link we signed, so a tombstone for a key already gone is harmless, and
    writing it unconditionally answers at once, known subscription or not. A known subscription is
    removed under every key of the ring: `rekey` may have moved it since the link was mailed, and
    this API's view may not have read the move yet.
    """
    atual = recursos.inscricoes.buscar(chave)
    outras = chaves_possiveis(recursos.settings.chaveiro, atual.nup, atual.email) if atual else []
    await _gravar_remocoes(recursos, [chave, *(c for c in outras if c != chave)])
