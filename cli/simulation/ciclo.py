"""Plausible lifecycles of simulated processos: autuação, tramitação, incidents, an ending. Pure.

Times advance hours to days between events, inside office hours at offset -03:00. Autuações start in January
2024 and wrap back after a year; no tramitação starts after September 2025, so every date stays in the past.
"""

from __future__ import annotations

__all__ = ["Ciclos", "Tramite"]

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cli.simulation import text as texto
from protocolo.documentos import gerar_cnpj, gerar_cpf
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import gerar_nup
from protocolo.referencia import Orgao, UnidadeRef

_FUSO = timezone(timedelta(hours=-3))
_INICIO = datetime(2024, 1, 2, 8, 0, tzinfo=_FUSO)
_FIM_AUTUACOES = datetime(2025, 1, 1, tzinfo=_FUSO)  # autuações wrap back to _INICIO after this
_TETO = datetime(2025, 9, 1, tzinfo=_FUSO)  # no new tramitação starts after this: dates stay in the past
_RECENTES = 256  # how many recent NUPs a relacionamento is drawn from


@dataclass
class Tramite:
    """A processo being simulated: where it is, its access level and its pending lifecycle."""

    nup: str
    tipo: TipoProtocolo
    orgao: Orgao
    unidade: UnidadeRef
    nivel: NivelAcesso
    quando: datetime
    interessados: tuple[Interessado, ...] = ()
    anexado: str | None = None  # NUP of the principal it is anexado to
    retido: Evento | None = None  # an event held back to be sent late
    retido_restante: int = 0
    passos: Iterator[Evento] = field(default_factory=lambda: iter(()))


class Ciclos:
    """Creates processos and yields their events in intended order; `ativos` is shared with the caller."""

    def __init__(
        self,
        rng: random.Random,
        orgaos: tuple[Orgao, ...],
        *,
        ativos: list[Tramite],
        restrito_fraction: float,
        sigiloso_fraction: float,
    ) -> None:
        self._rng = rng
        self._orgaos = orgaos
        self._ativos = ativos
        self._restrito = restrito_fraction
        self._sigiloso = sigiloso_fraction
        self._ids: dict[str, int] = {}
        self._sequenciais: dict[tuple[str, int], int] = {}
        self._relogio = _INICIO
        self._nups_recentes: deque[str] = deque(maxlen=_RECENTES)

    def novo_tramite(self) -> Tramite:
        """Open a new processo, autuado a little after the previous one, with its lifecycle pending."""
        rng = self._rng
        self._relogio += timedelta(seconds=rng.randint(60, 1800))
        if self._relogio >= _FIM_AUTUACOES:
            self._relogio = _INICIO
        orgao = rng.choice(self._orgaos)
        quando = self._expediente(self._relogio)
        sorteio = rng.random()
        nivel = NivelAcesso.PUBLICO
        if sorteio < self._sigiloso:
            nivel = NivelAcesso.SIGILOSO
        elif sorteio < self._sigiloso + self._restrito:
            nivel = NivelAcesso.RESTRITO
        tipo = TipoProtocolo.DOCUMENTO if rng.random() < 0.05 else TipoProtocolo.PROCESSO
        unidade = self._protocolo(orgao) if rng.random() < 0.7 else rng.choice(orgao.unidades)
        tramite = Tramite(self._novo_nup(orgao, quando.year), tipo, orgao, unidade, nivel, quando)
        tramite.interessados = tuple(self._interessado() for _ in range(rng.choice((1, 1, 1, 2, 3))))
        tramite.passos = self._ciclo(tramite)
        self._nups_recentes.append(tramite.nup)
        return tramite

    def _interessado(self) -> Interessado:
        if self._rng.random() < 0.7:
            return Interessado(texto.gerar_nome_pessoa(self._rng), gerar_cpf(self._rng))
        return Interessado(texto.gerar_nome_empresa(self._rng), gerar_cnpj(self._rng))

    def novo_id(self, orgao: str) -> str:
        """The next event id of `orgao`."""
        self._ids[orgao] = self._ids.get(orgao, 0) + 1
        return f"SEI-{orgao}-{self._ids[orgao]}"

    def _novo_nup(self, orgao: Orgao, ano: int) -> str:
        chave = (orgao.codigo, ano)
        self._sequenciais[chave] = self._sequenciais.get(chave, self._rng.randint(1, 20_000)) + 1
        return gerar_nup(unidade=int(orgao.codigo), sequencial=self._sequenciais[chave], ano=ano).digitos

    @staticmethod
    def _protocolo(orgao: Orgao) -> UnidadeRef:
        return next((u for u in orgao.unidades if u.sigla == "PROTOCOLO"), orgao.unidades[0])

    def _expediente(self, quando: datetime) -> datetime:
        """Move `quando` forward into office hours (08:00–18:00, Monday to Friday)."""
        if quando.hour >= 18:
            quando = (quando + timedelta(days=1)).replace(hour=8, minute=self._rng.randint(0, 59))
        elif quando.hour < 8:
            quando = quando.replace(hour=8, minute=self._rng.randint(0, 59))
        while quando.weekday() >= 5:
            quando += timedelta(days=1)
        return quando

    def _evento(self, t: Tramite, operacao: Operacao, horas: float, **campos: Any) -> Evento:
        """The next event of `t`, `horas` (plus a little) after the previous one, published by its órgão."""
        t.quando = self._expediente(t.quando + timedelta(seconds=60 + int(horas * 3600)))
        campos.setdefault("unidade_origem", _unidade(t.unidade))
        campos.setdefault("observacao", self._observacao(t))
        return Evento(
            id=self.novo_id(t.orgao.codigo),
            orgao=t.orgao.codigo,
            nup=t.nup,
            tipo=t.tipo,
            operacao=operacao,
            ocorrido_em=t.quando,
            nivel_acesso=t.nivel,
            **campos,
        )

    def _observacao(self, t: Tramite) -> str | None:
        sorteio = self._rng.random()
        if sorteio < 0.005:  # rare on purpose: personal data in free text, to exercise masking
            cpfs = [i for i in t.interessados if i.documento and len(i.documento) == 11]
            pessoa = (
                cpfs[0] if cpfs else Interessado(texto.gerar_nome_pessoa(self._rng), gerar_cpf(self._rng))
            )
            cpf = pessoa.documento or ""
            return f"{pessoa.nome}, CPF {cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}, solicita prioridade."
        return self._rng.choice(texto.OBSERVACOES) if sorteio < 0.25 else None

    def _intervalo(self, media: float, maximo: float) -> float:
        return min(self._rng.expovariate(1 / media), maximo)

    def _ciclo(self, t: Tramite) -> Iterator[Evento]:
        rng = self._rng
        pool = texto.ASSUNTOS_POR_ORGAO.get(t.orgao.sigla, ())
        assunto = rng.choice(pool if pool and rng.random() < 0.6 else texto.ASSUNTOS)
        documento = t.tipo is TipoProtocolo.DOCUMENTO
        especie = rng.choice(texto.ESPECIES_DOCUMENTO if documento else texto.ESPECIES)
        yield self._evento(
            t, Operacao.AUTUACAO, 0, especie=especie, assunto=assunto, interessados=t.interessados
        )
        for _ in range(1 if documento else rng.randint(1, 6)):
            if t.quando > _TETO:
                break
            yield from self._tramitar(t)
            if not documento:
                yield from self._incidentes(t)
            if t.anexado:
                if rng.random() >= 0.2:
                    return
                yield self._evento(
                    t, Operacao.DESANEXACAO, self._intervalo(48, 240), nup_relacionado=t.anexado
                )
                t.anexado = None
        final = rng.random()
        if final < 0.1 and not documento:
            return  # still em tramitação
        if rng.random() < 0.3:
            yield self._evento(t, Operacao.CIENCIA, self._intervalo(20, 120))
        if final < 0.55 and not documento:
            yield self._evento(t, Operacao.CONCLUSAO, self._intervalo(20, 120))
            if rng.random() < 0.05 and t.quando < _TETO:
                yield self._evento(t, Operacao.REABERTURA, self._intervalo(240, 720))
                yield from self._tramitar(t)
                yield self._evento(t, Operacao.CONCLUSAO, self._intervalo(20, 120))
            return
        yield self._evento(t, Operacao.ARQUIVAMENTO, self._intervalo(20, 120))
        if rng.random() < 0.1 and t.quando < _TETO:
            yield self._evento(t, Operacao.DESARQUIVAMENTO, rng.uniform(720, 2880))
            yield from self._tramitar(t)
            yield self._evento(t, Operacao.ARQUIVAMENTO, self._intervalo(20, 120))

    def _tramitar(self, t: Tramite) -> Iterator[Evento]:
        rng, origem = self._rng, t.unidade
        outros = [o for o in self._orgaos if o is not t.orgao]
        if outros and rng.random() < 0.1:
            orgao = rng.choice(outros)
            destino = self._protocolo(orgao) if rng.random() < 0.8 else rng.choice(orgao.unidades)
        else:
            orgao, destino = t.orgao, rng.choice([u for u in t.orgao.unidades if u != origem])
        yield self._evento(t, Operacao.ENVIO, self._intervalo(20, 120), unidade_destino=_unidade(destino))
        t.orgao, t.unidade = orgao, destino
        yield self._evento(
            t,
            Operacao.RECEBIMENTO,
            self._intervalo(6, 48),
            unidade_origem=_unidade(origem),
            unidade_destino=_unidade(destino),
            observacao=None,
        )

    def _incidentes(self, t: Tramite) -> Iterator[Evento]:
        rng = self._rng
        if rng.random() < 0.35:
            nup_documento = self._novo_nup(t.orgao, t.quando.year)
            yield self._evento(t, Operacao.JUNTADA, self._intervalo(8, 72), nup_relacionado=nup_documento)
        if rng.random() < 0.1:
            yield self._evento(t, Operacao.CIENCIA, self._intervalo(20, 120))
        if rng.random() < 0.05:
            yield self._evento(t, Operacao.SOBRESTAMENTO, self._intervalo(20, 120))
            yield self._evento(t, Operacao.REMOCAO_SOBRESTAMENTO, rng.uniform(168, 1440))
        outros = [n for n in self._nups_recentes if n != t.nup]
        if outros and rng.random() < 0.05:
            yield self._evento(
                t, Operacao.RELACIONAMENTO, self._intervalo(20, 120), nup_relacionado=rng.choice(outros)
            )
        if t.nivel is NivelAcesso.PUBLICO and rng.random() < 0.03:
            t.nivel = NivelAcesso.RESTRITO
            motivo = "Restrição de acesso: informação pessoal (art. 31 da Lei nº 12.527/2011)."
            yield self._evento(
                t, Operacao.ALTERACAO_NIVEL_ACESSO, self._intervalo(20, 120), observacao=motivo
            )
        principais = [a for a in self._ativos if a is not t and a.orgao is t.orgao and not a.anexado]
        if principais and rng.random() < 0.007:
            t.anexado = rng.choice(principais).nup
            yield self._evento(t, Operacao.ANEXACAO, self._intervalo(20, 120), nup_relacionado=t.anexado)


def _unidade(unidade: UnidadeRef) -> Unidade:
    return Unidade(codigo=unidade.codigo, sigla=unidade.sigla, nome=unidade.nome)
