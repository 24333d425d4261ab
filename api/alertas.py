"""Alert use cases of the API: ask (double opt-in), confirm and cancel through signed links.

The same flow as a processo subscription (api/inscricoes.py), whose address check and rate limits
it shares: the API writes alert states to the alertas topic and the alert sender mails the
confirmation of each PENDENTE record; confirming and cancelling follow the topic live.
"""

from __future__ import annotations

__all__ = [
    "MENSAGEM_PEDIDO_ALERTA",
    "cancelar_alerta",
    "confirmar_alerta",
    "nome_do_orgao",
    "solicitar_alerta",
]

import asyncio
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from api.alertas_consulta import consulta_de_busca, descrever_busca
from api.busca.params import BuscaParams
from api.deps import Recursos
from api.inscricoes import validar_pedido
from protocolo.alertas import alerta as regras
from protocolo.alertas.alerta import Alerta, chave_alerta
from protocolo.alertas.consulta import ConsultaAlerta, Frequencia
from protocolo.alertas.topico import mensagem_alerta
from protocolo.errors import PublishError
from protocolo.referencia import Referencia, carregar_referencia

MENSAGEM_PEDIDO_ALERTA = (
    "Pedido recebido. Se o endereço puder receber mensagens, enviaremos um e-mail com um link para "
    "confirmar o alerta. Nenhum aviso é enviado antes da confirmação."
)
_ESPERA_TABELA_S = 5.0


def _ler_busca(recursos: Recursos, params: BuscaParams, endereco: str) -> tuple[ConsultaAlerta, str]:
    """The search as an alert matches it and the alert's key: those of an alert already asked for
    under any key of the ring (the id-less `k0` included), else those of the current key.

    So a request after a key rotation finds the alert asked for before it, and never makes a second
    one for the same search and address. Except an alert that follows a CPF or CNPJ: it holds the
    number's hash under its own key, and the streams hash new projections with the current one, so
    asking again makes a new alert under the current key (docs/operacao.md, Key rotation).
    """
    chaveiro = recursos.settings.chaveiro
    atual = consulta_de_busca(params, segredo=chaveiro.atual)
    if atual.segue_documento:
        return atual, chave_alerta(chaveiro.atual, atual, endereco)
    chaves = [chave_alerta(segredo, atual, endereco) for segredo in chaveiro.segredos_possiveis()]
    return atual, next((c for c in chaves if recursos.alertas.buscar(c) is not None), chaves[0])


async def _gravar(recursos: Recursos, chave: str, valor: bytes | None) -> None:
    settings = recursos.settings
    (erro,) = await recursos.entregador.entregar(
        settings.kafka.topics.alertas, [(chave.encode(), valor)], timeout_s=settings.api.gateway_timeout_s
    )
    if erro is not None:
        raise PublishError(erro)


@lru_cache(maxsize=1)
def _referencia() -> Referencia:
    return carregar_referencia()


def nome_do_orgao(codigo: str | None) -> str | None:
    """The reference data's name of an órgão code (None: no code, or an unknown one)."""
    orgao = _referencia().orgao(codigo) if codigo else None
    return orgao.nome if orgao is not None else None


async def solicitar_alerta(
    recursos: Recursos, params: BuscaParams, email: str, *, frequencia: str, movimentos: bool, ip: str
) -> None:
    """Ask for an alert on a search: a PENDENTE record (the sender mails the link), or nothing.

    Whatever the address's state, the caller answers the same: no one learns who follows what.
    """
    endereco, _ = validar_pedido(email, None)
    recursos.limites.verificar(ip=ip, email=endereco)
    consulta, chave = _ler_busca(recursos, params, endereco)
    novo = regras.pedir_alerta(
        recursos.alertas.buscar(chave),
        chave=chave,
        email=endereco,
        consulta=consulta,
        descricao=descrever_busca(params, nome_orgao=nome_do_orgao(params.orgao)),
        frequencia=Frequencia(frequencia),
        movimentos=movimentos,
        agora=datetime.now(UTC),
        reenvio=timedelta(minutes=recursos.settings.inscricao.reenvio_confirmacao_min),
    )
    if novo is not None:
        await _gravar(recursos, chave, mensagem_alerta(novo)[1])


async def _buscar(recursos: Recursos, chave: str) -> Alerta | None:
    """The alert, waiting a moment for the live view to read a record written just now."""
    limite = time.monotonic() + _ESPERA_TABELA_S
    while True:
        alerta = recursos.alertas.buscar(chave)
        if alerta is not None or time.monotonic() > limite:
            return alerta
        await asyncio.sleep(0.1)


async def confirmar_alerta(recursos: Recursos, chave: str) -> Alerta:
    """Confirm a pending alert (idempotent); ValueError when it is no longer pending."""
    existente = await _buscar(recursos, chave)
    novo = regras.confirmar_alerta(existente, datetime.now(UTC))
    if novo is not None:
        await _gravar(recursos, chave, mensagem_alerta(novo)[1])
        return novo
    assert existente is not None  # confirmar_alerta raised otherwise
    return existente


async def cancelar_alerta(recursos: Recursos, chave: str) -> None:
    """Cancel: a tombstone, which also erases the address from the topic. Idempotent."""
    await _gravar(recursos, chave, None)
