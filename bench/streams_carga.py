"""The stream benchmark's workload: a long tail of processos, generated as it is produced.

Most processos have under 20 events, 1 % of them between 1,001 and 3,000, and one processo (the
"long" one) has 20,000 (a tenth of the workload when it is smaller than 200,000 events). Events of
all processos are interleaved at random. Of the messages, 5 % are exact resends of a recent event,
5 % of the events arrive out of order (they happened before the event of their processo that went
out just before them) and 1 % are invalid: Avro-valid but domain-invalid (an ENVIO without
unidade_destino, a NUP with wrong check digits) or corrupted bytes. Every event id is unique, so
identity (orgao, id) is unique across all NUPs; the expected `versao` of each processo is the
number of distinct valid events made for it.

Only the schedule (one int per valid event) and one small record per processo stay in memory.
"""

from __future__ import annotations

__all__ = ["Carga"]

import random
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from protocolo.avro import catalogo_padrao
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import gerar_nup
from protocolo.referencia import Orgao, Referencia
from protocolo.registros import evento_mensagem

LONGO = 20_000
PASSO = timedelta(minutes=5)  # between two consecutive events of one processo
_INICIO = datetime(2019, 1, 2, 9, 0, tzinfo=UTC)


@dataclass(slots=True)
class _Processo:
    nup: str
    orgao: int  # index into the órgãos
    inicio: datetime
    tamanho: int  # valid events it will have
    emitidos: int = 0


class Carga:
    """The workload of one benchmark run; `mensagens()` yields exactly `eventos` (key, value) pairs."""

    def __init__(self, eventos: int, referencia: Referencia, *, seed: int = 13) -> None:
        self.eventos = eventos
        self._rng = random.Random(seed)
        self._catalogo = catalogo_padrao()
        self._orgaos: list[Orgao] = list(referencia.orgaos)
        self._unidades = [[Unidade(u.codigo, u.sigla, u.nome) for u in o.unidades] for o in self._orgaos]
        self._ids = 0
        self._sequencial = 0
        self.processos: list[_Processo] = []
        self.reenvios = self.fora_de_ordem = self.invalidos = 0
        self.validos = round(eventos * 0.94)
        self.longo_tamanho = min(LONGO, max(1_000, eventos // 10))
        self.longo = self._novo(self.longo_tamanho)
        restantes = self.validos - self.longo_tamanho
        while restantes > 0:
            grande = len(self.processos) % 100 == 50  # 1 % of processos
            tamanho = self._rng.randint(1_001, 3_000) if grande else self._curto()
            tamanho = min(tamanho, restantes)
            self._novo(tamanho)
            restantes -= tamanho

    def _curto(self) -> int:
        return min(19, 1 + int(self._rng.expovariate(1 / 4.5)))

    def _novo(self, tamanho: int) -> _Processo:
        self._sequencial += 1
        orgao = self._rng.randrange(len(self._orgaos))
        ano = 2019 + self._sequencial // 900_000
        nup = gerar_nup(
            unidade=int(self._orgaos[orgao].codigo) % 100_000,
            sequencial=self._sequencial % 900_000 + 1,
            ano=ano,
        ).digitos
        inicio = _INICIO + timedelta(minutes=7 * (self._sequencial % 100_000))
        processo = _Processo(nup, orgao, inicio, tamanho)
        self.processos.append(processo)
        return processo

    def esperado(self) -> dict[str, int]:
        """nup -> the versao its newest snapshot must have (distinct valid events made so far)."""
        return {p.nup: p.emitidos for p in self.processos if p.emitidos}

    def _id(self) -> str:
        self._ids += 1
        return f"BENCH-{self._ids}"

    def _evento(self, p: _Processo, *, desordem: bool = False) -> Evento:
        """The next valid event of `p`."""
        k = p.emitidos
        p.emitidos += 1
        orgao = self._orgaos[p.orgao]
        unidades = self._unidades[p.orgao]
        quando = p.inicio + k * PASSO
        if desordem and k >= 2:
            quando -= PASSO * 1.5  # before the event that went out just before it
            self.fora_de_ordem += 1
        a, b = unidades[k % len(unidades)], unidades[(k + 1) % len(unidades)]
        base = Evento(
            id=self._id(),
            orgao=orgao.codigo,
            nup=p.nup,
            tipo=TipoProtocolo.PROCESSO,
            operacao=Operacao.RECEBIMENTO,
            ocorrido_em=quando,
            nivel_acesso=NivelAcesso.PUBLICO,
            unidade_origem=a,
            unidade_destino=b,
        )
        if k == 0:
            return replace(
                base,
                operacao=Operacao.AUTUACAO,
                unidade_origem=unidades[0],
                unidade_destino=None,
                especie="Requerimento",
                assunto="Solicitação de informações sobre benefício",
                interessados=(Interessado("Maria da Silva"),),
            )
        if k % 2:
            return replace(
                base, operacao=Operacao.ENVIO, observacao="Encaminhado para análise e manifestação."
            )
        return base

    def _invalido(self, p: _Processo) -> tuple[bytes, bytes]:
        self.invalidos += 1
        tipo = self.invalidos % 3
        base = Evento(
            id=self._id(),
            orgao=self._orgaos[p.orgao].codigo,
            nup=p.nup,
            tipo=TipoProtocolo.PROCESSO,
            operacao=Operacao.ENVIO,
            ocorrido_em=p.inicio,
            nivel_acesso=NivelAcesso.PUBLICO,
            unidade_origem=self._unidades[p.orgao][0],
        )
        if tipo == 0:  # Avro-valid, domain-invalid: ENVIO without unidade_destino
            return evento_mensagem(self._catalogo, base)
        if tipo == 1:  # a NUP with wrong check digits
            dv = (int(p.nup[-2:]) + 1 + self._rng.randrange(98)) % 100
            errado = p.nup[:-2] + f"{dv:02d}"
            ruim = replace(base, nup=errado, unidade_destino=base.unidade_origem)
            return evento_mensagem(self._catalogo, ruim)
        chave, valor = evento_mensagem(self._catalogo, base)  # corrupted: cut in the middle
        return chave, valor[: len(valor) // 2]

    def mensagens(self) -> Iterator[tuple[bytes, bytes]]:
        """The main run's messages, exactly `eventos` of them."""
        rng = self._rng
        agenda = array("I")
        for i, p in enumerate(self.processos):
            agenda.extend([i] * p.tamanho)
        rng.shuffle(agenda)
        recentes: deque[tuple[bytes, bytes]] = deque(maxlen=2_000)
        proximo = 0
        for restantes in range(self.eventos, 0, -1):
            faltam = len(agenda) - proximo
            sorteio = rng.random()
            if faltam and (faltam >= restantes or sorteio >= 0.06 or not recentes):
                p = self.processos[agenda[proximo]]
                proximo += 1
                mensagem = evento_mensagem(self._catalogo, self._evento(p, desordem=rng.random() < 0.05))
                recentes.append(mensagem)
                yield mensagem
            elif sorteio < 0.05 or not faltam:
                self.reenvios += 1
                yield rng.choice(recentes)
            else:
                yield self._invalido(self.processos[agenda[proximo]])

    def novos_curtos(self, quantos: int, *, tamanho: int = 8) -> list[tuple[bytes, bytes]]:
        """`quantos` valid events over new processos of `tamanho` events each, interleaved."""
        novos = [self._novo(tamanho) for _ in range(-(-quantos // tamanho))]
        saida: list[tuple[bytes, bytes]] = []
        while len(saida) < quantos:
            for p in novos:
                if len(saida) < quantos and p.emitidos < p.tamanho:
                    saida.append(evento_mensagem(self._catalogo, self._evento(p)))
        return saida

    def no_longo(self, quantos: int) -> list[tuple[bytes, bytes]]:
        """`quantos` more valid events of the long processo."""
        self.longo.tamanho += quantos
        return [evento_mensagem(self._catalogo, self._evento(self.longo)) for _ in range(quantos)]

    def um_novo(self) -> tuple[str, tuple[bytes, bytes]]:
        """One new processo's first event: (its NUP, the message)."""
        p = self._novo(1)
        return p.nup, evento_mensagem(self._catalogo, self._evento(p))

    def movimento(self, p: _Processo | None = None) -> tuple[str, tuple[bytes, bytes]]:
        """The next event of a fresh public processo (a new one every 8 events): (movimento id, message)."""
        if p is None:
            if not self.processos or self.processos[-1].emitidos >= 8 or self.processos[-1] is self.longo:
                self._novo(8)
            p = self.processos[-1]
        evento = self._evento(p)
        return evento.chave_identidade, evento_mensagem(self._catalogo, evento)
