"""Registering, listing, removing and rotating integrators' webhooks: the API's side."""

from __future__ import annotations

__all__ = ["alvo_do_pedido", "publico", "registrar", "remover", "rotacionar_segredo"]

import asyncio
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from api.alertas import nome_do_orgao
from api.alertas_consulta import consulta_de_busca, descrever_busca
from api.busca.params import BuscaParams, ConsultaInvalida, validar_busca
from api.deps import Recursos
from api.schemas_webhooks import AlvoPublic, SegredoPublic, WebhookCreate, WebhookPublic
from protocolo.chaveiro import Segredo
from protocolo.errors import InvalidWebhook, PublishError
from protocolo.nup import parse_nup
from protocolo.webhooks import (
    Alvo,
    EstadoWebhook,
    SegredoSelado,
    TipoAlvo,
    Webhook,
    alvo_de_busca,
    descricao_alvo,
    formatar_segredo,
    novo_id_webhook,
    novo_segredo,
    rotacionar,
    situacao,
    validar_url,
)
from protocolo.webhooks_topico import mensagem_webhook

_ORGAO = re.compile(r"^[0-9A-Za-z.\-]{1,20}$")


# What a saved search holds: the search's criteria; the sort and the paging of a results link are left out.
_NAO_CRITERIOS = frozenset({"ordem", "tamanho", "cursor", "inicio", "facetas"})


def _busca_do_alerta(texto: str) -> BuscaParams:
    """The search of an `alerta` target: the query string of GET /api/v1/processos or of a portal
    results URL (`q=licitação&orgao=26000`, `/?q=...`, or the whole link)."""
    consulta = urlsplit(texto).query if "?" in texto else texto
    pares = parse_qsl(consulta, keep_blank_values=False)
    if not pares:
        raise InvalidWebhook(
            "alerta: informe a busca como na URL de GET /api/v1/processos, "
            "por exemplo q=licitação&orgao=26000"
        )
    desconhecidos = sorted({campo for campo, _ in pares} - set(BuscaParams.model_fields))
    if desconhecidos:
        raise InvalidWebhook(f"alerta: parâmetro de busca desconhecido: {', '.join(desconhecidos)}")
    valores: dict[str, str] = {}
    for campo, valor in pares:
        if campo in _NAO_CRITERIOS:
            continue  # a results link's sort and page: not part of what is followed
        if campo in valores:
            raise InvalidWebhook(f"alerta: o parâmetro {campo} aparece mais de uma vez")
        valores[campo] = valor
    try:
        return validar_busca(**valores)
    except ConsultaInvalida as exc:
        raise InvalidWebhook(f"alerta: {exc}") from None


def _alvo_alerta(texto: str, segredo: Segredo, nome_orgao: Callable[[str | None], str | None]) -> Alvo:
    """A saved-search target, stored as what the matcher reads and its pt-BR description: a CPF or
    CNPJ only as its keyed hash (under the ring's current key) and masked, never in clear."""
    params = _busca_do_alerta(texto)
    return alvo_de_busca(
        consulta_de_busca(params, segredo=segredo).canonica(),
        descrever_busca(params, nome_orgao=nome_orgao(params.orgao)),
    )


def alvo_do_pedido(
    pedido: WebhookCreate,
    *,
    segredo: Segredo,
    nome_orgao: Callable[[str | None], str | None] = lambda _: None,
) -> Alvo:
    """The single target of a request; InvalidWebhook (pt-BR) when there is none, several or a bad one."""
    dados = {"nup": pedido.nup, "alerta": pedido.alerta, "orgao": pedido.orgao}
    informados = [campo for campo, valor in dados.items() if valor is not None and valor.strip()]
    if len(informados) != 1:
        raise InvalidWebhook("informe exatamente um alvo: nup, alerta ou orgao")
    campo = informados[0]
    valor = (dados[campo] or "").strip()
    if campo == "nup":
        return Alvo(TipoAlvo.NUP, parse_nup(valor).digitos)
    if campo == "orgao":
        if not _ORGAO.match(valor):
            raise InvalidWebhook("orgao: código inválido (até 20 letras, dígitos, pontos ou hifens)")
        return Alvo(TipoAlvo.ORGAO, valor)
    return _alvo_alerta(valor, segredo, nome_orgao)


def publico(webhook: Webhook, estado: EstadoWebhook | None, agora: datetime) -> WebhookPublic:
    """What the owner sees of a webhook and its latest verdict."""
    return WebhookPublic(
        id=webhook.id,
        url=webhook.url,
        alvo=AlvoPublic(tipo=webhook.alvo.tipo.value, valor=descricao_alvo(webhook.alvo)),
        situacao=situacao(estado).value,
        motivo=estado.motivo if estado else None,
        criado_em=webhook.criado_em,
        segredos=[
            SegredoPublic(criado_em=s.criado_em, expira_em=s.expira_em) for s in webhook.vigentes(agora)
        ],
    )


async def _gravar(recursos: Recursos, chave: str, valor: bytes | None) -> None:
    settings = recursos.settings
    (erro,) = await recursos.entregador.entregar(
        settings.kafka.topics.webhooks, [(chave.encode(), valor)], timeout_s=settings.api.gateway_timeout_s
    )
    if erro is not None:
        raise PublishError(erro)


async def _refletido(condicao: Callable[[], bool], prazo_s: float = 5.0) -> None:
    """Wait (briefly) until this process's live view shows our own write: read-your-writes for the owner."""
    limite = time.monotonic() + prazo_s
    while not condicao() and time.monotonic() < limite:
        await asyncio.sleep(0.05)


async def registrar(recursos: Recursos, integrador: str, pedido: WebhookCreate) -> tuple[Webhook, str]:
    """Write a new registration (acknowledged); the webhook and its secret, shown once."""
    alvo = alvo_do_pedido(pedido, segredo=recursos.settings.chaveiro.atual, nome_orgao=nome_do_orgao)
    url = validar_url(pedido.url, desenvolvimento=recursos.settings.environment == "development")
    agora = datetime.now(UTC)
    id_, segredo = novo_id_webhook(), novo_segredo()
    selado = SegredoSelado(recursos.cofre.selar(segredo, vinculo=id_), agora)
    webhook = Webhook(id_, integrador, url, alvo, (selado,), agora)
    chave, valor = mensagem_webhook(webhook)
    await _gravar(recursos, chave.decode(), valor)
    await _refletido(lambda: id_ in recursos.webhooks.atual)
    return webhook, formatar_segredo(segredo)


async def remover(recursos: Recursos, webhook: Webhook) -> None:
    """Remove a registration (a tombstone, acknowledged): nothing more is delivered to it."""
    await _gravar(recursos, webhook.id, None)
    await _refletido(lambda: webhook.id not in recursos.webhooks.atual)


async def rotacionar_segredo(recursos: Recursos, webhook: Webhook) -> tuple[Webhook, str]:
    """Write the webhook with a new secret first; the old ones keep signing through the overlap."""
    agora = datetime.now(UTC)
    segredo = novo_segredo()
    novo = SegredoSelado(recursos.cofre.selar(segredo, vinculo=webhook.id), agora)
    sobreposicao = timedelta(hours=recursos.settings.webhooks.sobreposicao_segredo_h)
    rotacionado = rotacionar(webhook, novo, agora=agora, sobreposicao=sobreposicao)
    chave, valor = mensagem_webhook(rotacionado)
    await _gravar(recursos, chave.decode(), valor)
    await _refletido(lambda: recursos.webhooks.atual.get(webhook.id) == rotacionado)
    return rotacionado, formatar_segredo(segredo)
