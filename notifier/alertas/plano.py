"""Which alert e-mails are due now: one per novelty (imediato), one per closed interval; rendering. Pure."""

from __future__ import annotations

__all__ = ["RedatorAlertas", "assunto_do_aviso", "planejar_envios"]

from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from notifier.alertas.estado import EstadoAlertas, Novidade
from notifier.alertas.janelas import fim_da_janela, janela
from notifier.lote import Envio
from notifier.messages import dominio_de, message_id, montar_email
from protocolo.alertas.alerta import Alerta
from protocolo.alertas.consulta import Frequencia
from protocolo.chaveiro import Segredo
from protocolo.links_inscricao import AcaoLink, assinar_link, url_link
from protocolo.model import Operacao
from protocolo.nup import parse_nup

_BRASILIA = ZoneInfo("America/Sao_Paulo")
_TITULO = {Frequencia.DIARIO: "Resumo do dia", Frequencia.SEMANAL: "Resumo da semana"}
_FREQUENCIA = {
    Frequencia.IMEDIATO: "um e-mail a cada novidade",
    Frequencia.DIARIO: "no máximo um resumo por dia",
    Frequencia.SEMANAL: "no máximo um resumo por semana",
}


def _contagem(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def assunto_do_aviso(frequencia: Frequencia, itens: list[Novidade]) -> str:
    """The subject line: the NUP of an `imediato` novelty; how many of each kind in a digest."""
    if frequencia is Frequencia.IMEDIATO and len(itens) == 1:
        (item,) = itens
        tipo = "Novo processo" if item.tipo == "NOVO" else "Movimentação"
        return f"{tipo} na sua busca: {parse_nup(item.nup).formatado}"
    novos = sum(1 for n in itens if n.tipo == "NOVO")
    partes = [_contagem(novos, "processo novo", "processos novos")] if novos else []
    if movimentos := len(itens) - novos:
        partes.append(_contagem(movimentos, "movimentação", "movimentações"))
    return f"{_TITULO.get(frequencia, 'Novidades')}: {' e '.join(partes)} na sua busca"


def _quando(instante: datetime | None) -> str:
    return instante.astimezone(_BRASILIA).strftime("%d/%m/%Y às %H:%M") if instante else ""


def _operacao(nome: str | None) -> str:
    try:
        return Operacao(nome).descricao if nome else ""
    except ValueError:
        return nome or ""


def _ordem(novidade: Novidade) -> tuple[bool, str, datetime, str]:
    """A digest's order: new processos first, then each processo's movements in the order they happened."""
    quando = novidade.ocorrido_em or novidade.registrada_em
    return (novidade.tipo != "NOVO", novidade.nup, quando, novidade.chave)


@dataclass(frozen=True)
class RedatorAlertas:
    """Renders alert e-mails with signed links (under /alertas/)."""

    remetente: str
    base_url: str
    segredo: Segredo
    validade: timedelta
    itens_por_resumo: int = 200

    def link_cancelar(self, chave: str) -> str:
        """The lasting one-click cancel URL of an alert."""
        return url_link(self.base_url, assinar_link(self.segredo, AcaoLink.CANCELAR, chave, None), "alertas")

    def confirmacao(self, alerta: Alerta) -> EmailMessage:
        """The double opt-in e-mail of a pending alert."""
        expira = alerta.solicitada_em + self.validade
        token = assinar_link(self.segredo, AcaoLink.CONFIRMAR, alerta.chave, expira)
        pedido = f"confirmacao-alerta:{int(alerta.solicitada_em.timestamp() * 1000)}"
        return montar_email(
            assunto="Confirme: alerta de busca de processos",
            remetente=self.remetente,
            para=alerta.email,
            mid=message_id(pedido, alerta.chave, dominio_de(self.remetente)),
            modelo="alerta_confirmacao",
            contexto={
                "descricao": alerta.descricao,
                "frequencia": _FREQUENCIA[alerta.frequencia],
                "movimentos": alerta.movimentos,
                "link_confirmar": url_link(self.base_url, token, "alertas"),
                "expira": _quando(expira),
            },
            link_cancelar=self.link_cancelar(alerta.chave),
        )

    def resumo(self, alerta: Alerta, itens: list[Novidade], mid: str) -> EmailMessage:
        """One e-mail listing `itens` (at most `itens_por_resumo`, then how many more)."""
        base = self.base_url.rstrip("/")
        linhas = [
            {
                "novo": n.tipo == "NOVO",
                "nup": parse_nup(n.nup).formatado,
                "link": f"{base}/processos/{parse_nup(n.nup).formatado}",
                "assunto": n.assunto,
                "orgao": n.orgao,
                "operacao": _operacao(n.operacao),
                "quando": _quando(n.ocorrido_em),
            }
            for n in sorted(itens, key=_ordem)[: self.itens_por_resumo]
        ]
        return montar_email(
            assunto=assunto_do_aviso(alerta.frequencia, itens),
            remetente=self.remetente,
            para=alerta.email,
            mid=mid,
            modelo="alerta_resumo",
            contexto={
                "descricao": alerta.descricao,
                "itens": linhas,
                "mais": max(0, len(itens) - len(linhas)),
            },
            link_cancelar=self.link_cancelar(alerta.chave),
        )


def _duracao(alerta: Alerta, diario_s: float, semanal_s: float) -> float:
    return diario_s if alerta.frequencia is Frequencia.DIARIO else semanal_s


def planejar_envios(
    estado: EstadoAlertas,
    enviados: Container[str],
    redator: RedatorAlertas,
    *,
    agora: datetime,
    diario_s: float,
    semanal_s: float,
) -> list[Envio]:
    """The e-mails due now; novelties already told (their Message-ID in enviadas) leave the outbox."""
    dominio = dominio_de(redator.remetente)
    envios: list[Envio] = []
    for chave, caixa in list(estado.caixa.items()):
        alerta = estado.alertas.get(chave)
        if alerta is None or not alerta.ativo or not caixa:
            continue
        if alerta.frequencia is Frequencia.IMEDIATO:
            for novidade in sorted(caixa.values(), key=lambda n: (n.registrada_em, n.chave)):
                mid = message_id(novidade.chave, chave, dominio)
                if mid in enviados:
                    del caixa[novidade.chave]
                else:
                    envios.append(Envio(mid, chave, redator.resumo(alerta, [novidade], mid)))
            continue
        duracao = _duracao(alerta, diario_s, semanal_s)
        por_janela: dict[int, list[Novidade]] = defaultdict(list)
        for novidade in caixa.values():
            por_janela[janela(novidade.registrada_em, duracao)].append(novidade)
        for numero, itens in sorted(por_janela.items()):
            if fim_da_janela(numero, duracao) > agora:
                continue  # the interval is still open
            mid = message_id(f"resumo:{alerta.frequencia.value}:{duracao:g}:{numero}", chave, dominio)
            if mid in enviados:
                for novidade in itens:
                    del caixa[novidade.chave]
            else:
                envios.append(Envio(mid, chave, redator.resumo(alerta, itens, mid)))
    return envios
