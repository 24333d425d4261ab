"""A deterministic generator of realistic tramitação traffic, with resends, disorder and invalid events. Pure.

Each processo follows a plausible lifecycle (autuação, envios and recebimentos, incidents, an ending); up to
`active` processos are open at once and their events interleave. On top of that the stream is made dirty on
purpose: a valid event already sent is sent again (identical), an event is held back until one to three later
events of its processo have gone out, and an invalid event (with its own id) goes out just before a valid one.
Lifecycles live in ciclo, vocabulary in text; only `random.Random(seed)` is used.
"""

from __future__ import annotations

__all__ = ["Oracle", "SimulationConfig", "Simulator"]

import random
from collections import Counter, deque
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cli.simulation import text as texto
from cli.simulation.ciclo import Ciclos, Tramite
from cli.simulation.oracle import MOTIVO_SEM_FUSO, Oracle
from protocolo.documentos import gerar_cpf
from protocolo.model import Evento, Operacao
from protocolo.nup import FormatoNup, Nup
from protocolo.referencia import Referencia
from protocolo.validation import evento_from_json, evento_to_json

_RECENTES = 256  # how far back a resent event is drawn from


@dataclass
class SimulationConfig:
    """How much traffic to simulate and how dirty to make it; fractions are per emitted event."""

    seed: int = 42
    orgaos: int = 5
    processos: int | None = None
    duplicate_fraction: float = 0.05
    disorder_fraction: float = 0.05
    invalid_fraction: float = 0.01
    restrito_fraction: float = 0.05
    sigiloso_fraction: float = 0.02
    active: int = 50

    def __post_init__(self) -> None:
        fracoes = ("duplicate_fraction", "disorder_fraction", "invalid_fraction")
        for nome in (*fracoes, "restrito_fraction", "sigiloso_fraction"):
            if not 0.0 <= getattr(self, nome) <= 1.0:
                raise ValueError(f"{nome} deve estar entre 0 e 1")
        if (
            self.duplicate_fraction + self.invalid_fraction >= 1
            or self.restrito_fraction + self.sigiloso_fraction > 1
        ):
            raise ValueError(
                "a soma das frações de duplicados e inválidos (ou restritos e sigilosos) passa de 1"
            )
        if self.orgaos < 1 or self.active < 1 or (self.processos is not None and self.processos < 0):
            raise ValueError("orgaos e active devem ser pelo menos 1, e processos não pode ser negativo")


class Simulator:
    """Emits simulated processos' events in the JSON form agencies publish; `oracle()` tells the truth."""

    def __init__(self, config: SimulationConfig, referencia: Referencia) -> None:
        if config.orgaos > len(referencia.orgaos):
            raise ValueError(f"a referência tem {len(referencia.orgaos)} órgãos; pedidos {config.orgaos}")
        self.config = config
        self._rng = random.Random(config.seed)
        self._orgaos = referencia.orgaos[: config.orgaos]
        self._formatados = {o.codigo for o in self._orgaos[1::2]}  # these agencies write punctuated NUPs
        self._criados = 0
        self._ativos: list[Tramite] = []
        self._ciclos = Ciclos(
            self._rng,
            self._orgaos,
            ativos=self._ativos,
            restrito_fraction=config.restrito_fraction,
            sigiloso_fraction=config.sigiloso_fraction,
        )
        self._fila: deque[Evento] = deque()
        self._enviados: deque[Evento] = deque(maxlen=_RECENTES)
        self._mais_recente: dict[str, datetime] = {}
        self._oracle = Oracle()

    def oracle(self) -> Oracle:
        """A snapshot of what has been emitted so far."""
        o = self._oracle
        validos = {nup: list(eventos) for nup, eventos in o.eventos_validos.items()}
        return Oracle(
            validos, list(o.invalidos), o.duplicados, o.fora_de_ordem, Counter(o.duplicados_por_orgao)
        )

    def eventos(self) -> Iterator[dict[str, Any]]:
        """The event stream; ends once `config.processos` processos have closed (never when None)."""
        rng, cfg = self._rng, self.config
        while True:
            if self._fila:
                yield self._emitir(self._fila.popleft())
                continue
            sorteio = rng.random()
            if sorteio < cfg.duplicate_fraction and self._enviados:
                reenviado = rng.choice(self._enviados)
                self._oracle.contar_reenvio(reenviado)
                yield self._json(reenviado)
                continue
            self._preencher()
            if not self._ativos:
                return
            tramite = rng.choice(self._ativos)
            evento = next(tramite.passos, None)
            if evento is None:
                self._ativos.remove(tramite)
                if tramite.retido is not None:
                    self._fila.append(tramite.retido)
                continue
            if sorteio < cfg.duplicate_fraction + cfg.invalid_fraction:
                yield self._invalido(evento)
            if tramite.retido is None and rng.random() < cfg.disorder_fraction:
                tramite.retido, tramite.retido_restante = evento, rng.randint(1, 3)
                continue
            yield self._emitir(evento)
            if tramite.retido is not None:
                tramite.retido_restante -= 1
                if tramite.retido_restante == 0:
                    self._fila.append(tramite.retido)
                    tramite.retido = None

    def _json(self, evento: Evento) -> dict[str, Any]:
        dados = evento_to_json(evento)
        if evento.orgao in self._formatados:
            for campo in ("nup", "nup_relacionado"):
                if dados[campo]:
                    dados[campo] = Nup(dados[campo], FormatoNup.ATUAL, verificado=True).formatado
        return dados

    def _emitir(self, evento: Evento) -> dict[str, Any]:
        dados = self._json(evento)
        lido = evento_from_json(dados)  # a failure here is a bug in the simulator, not dirt on purpose
        self._oracle.eventos_validos.setdefault(lido.nup, []).append(lido)
        if lido.ocorrido_em < self._mais_recente.get(lido.nup, lido.ocorrido_em):
            self._oracle.fora_de_ordem += 1
        else:
            self._mais_recente[lido.nup] = lido.ocorrido_em
        self._enviados.append(evento)
        return dados

    def _invalido(self, base: Evento) -> dict[str, Any]:
        """A broken variant of `base` under a fresh id, recorded with why it is broken."""
        rng = self._rng
        evento = replace(base, id=self._ciclos.novo_id(base.orgao))
        tipo = rng.randrange(5)
        if tipo == 0:
            evento = replace(evento, operacao=Operacao.ENVIO, unidade_destino=None, nup_relacionado=None)
        dados = self._json(evento)
        if tipo == 0:
            motivo = "ENVIO sem unidade_destino"
        elif tipo == 1:
            dv = int(evento.nup[-2:])  # the check digits end both the bare and the punctuated form
            dados["nup"] = dados["nup"][:-2] + f"{(dv + rng.randint(1, 99)) % 100:02d}"
            motivo = "NUP com dígitos verificadores incorretos"
        elif tipo == 2:
            cpf = gerar_cpf(rng)
            cpf = cpf[:10] + str((int(cpf[10]) + rng.randint(1, 9)) % 10)
            documento = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
            dados["interessados"] = [{"nome": texto.gerar_nome_pessoa(rng), "documento": documento}]
            motivo = "CPF do interessado com dígitos verificadores incorretos"
        elif tipo == 3:
            dados["operacao"] = rng.choice(texto.OPERACOES_DESCONHECIDAS)
            motivo = f"operação desconhecida: {dados['operacao']}"
        else:
            dados["ocorrido_em"] = evento.ocorrido_em.replace(tzinfo=None).isoformat()
            motivo = MOTIVO_SEM_FUSO
        self._oracle.invalidos.append((deepcopy(dados), motivo))  # the caller may change what it gets
        return dados

    def _preencher(self) -> None:
        limite = self.config.processos
        while len(self._ativos) < self.config.active and (limite is None or self._criados < limite):
            self._criados += 1
            self._ativos.append(self._ciclos.novo_tramite())
