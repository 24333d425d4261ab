"""The truth about a simulated stream: valid, invalid and resent events, and the states they fold to."""

from __future__ import annotations

__all__ = ["MOTIVO_SEM_FUSO", "Oracle"]

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from protocolo.fold import Processo, fold_processo
from protocolo.model import Evento, NivelAcesso

MOTIVO_SEM_FUSO = "data sem fuso horário"  # the reason of an invalid event whose date has no time zone


@dataclass
class Oracle:
    """What a Simulator has emitted so far, for tests and benchmarks to compare an index with.

    `eventos_validos` maps NUP digits to the distinct valid events (parsed), `invalidos` holds each invalid
    event with the reason it was made invalid, `duplicados` counts resent copies and `fora_de_ordem` counts
    valid events emitted after a later event of the same processo; `duplicados_por_orgao` splits
    `duplicados` by the resent event's órgão.
    """

    eventos_validos: dict[str, list[Evento]] = field(default_factory=dict)
    invalidos: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    duplicados: int = 0
    fora_de_ordem: int = 0
    duplicados_por_orgao: Counter[str] = field(default_factory=Counter)

    def contar_reenvio(self, evento: Evento) -> None:
        """Count one resent copy of `evento`."""
        self.duplicados += 1
        self.duplicados_por_orgao[evento.orgao] += 1

    def processos(self) -> dict[str, Processo]:
        """The folded state of every processo, by NUP digits."""
        return {nup: fold_processo(eventos) for nup, eventos in self.eventos_validos.items()}

    def publicos(self, restrito_publico: bool = False) -> dict[str, Processo]:
        """The processos a public index should show: PUBLICO ones, plus RESTRITO when the flag is set."""
        aceitos = {NivelAcesso.PUBLICO, NivelAcesso.RESTRITO} if restrito_publico else {NivelAcesso.PUBLICO}
        return {nup: p for nup, p in self.processos().items() if p.nivel_acesso in aceitos}

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable summary: the expected state per NUP, the identities of the movimentos a
        public index shows (every event of each processo public in the end), and the counts."""
        processos = {
            nup: {
                "versao": p.versao,
                "situacao": p.situacao.value,
                "nivel_acesso": p.nivel_acesso.value,
                "localizacao": p.localizacao.codigo if p.localizacao else None,
                "orgao_atual": p.orgao_atual,
                "em_transito": p.em_transito,
                "ultima_operacao": p.ultima_operacao.value,
            }
            for nup, p in self.processos().items()
        }
        publicos = self.publicos()
        movimentos = sorted(e.chave_identidade for nup in publicos for e in self.eventos_validos[nup])
        validos = sum(len(eventos) for eventos in self.eventos_validos.values())
        totais = {
            "processos": len(processos),
            "eventos_validos": validos,
            "invalidos": len(self.invalidos),
            "duplicados": self.duplicados,
            "fora_de_ordem": self.fora_de_ordem,
            "emitidos": validos + len(self.invalidos) + self.duplicados,
        }
        return {
            "processos": processos,
            "movimentos_publicos": movimentos,
            "totais": totais,
            "por_orgao": self._por_orgao(publicos),
        }

    def _por_orgao(self, publicos: dict[str, Processo]) -> dict[str, dict[str, int]]:
        """Per órgão: distinct valid events, resends, invalid events (and how many of them carry a date
        without a time zone, which the Avro contract cannot encode, so they never reach the topic) and
        the movimentos a public index shows."""
        contagens: dict[str, Counter[str]] = {}
        for nup, eventos in self.eventos_validos.items():
            for evento in eventos:
                por_orgao = contagens.setdefault(evento.orgao, Counter())
                por_orgao["validos"] += 1
                por_orgao["movimentos_publicos"] += nup in publicos
        for dados, motivo in self.invalidos:
            por_orgao = contagens.setdefault(str(dados["orgao"]), Counter())
            por_orgao["invalidos"] += 1
            por_orgao["invalidos_sem_fuso"] += motivo == MOTIVO_SEM_FUSO
        for orgao, n in self.duplicados_por_orgao.items():
            contagens.setdefault(orgao, Counter())["duplicados"] = n
        campos = ("validos", "duplicados", "invalidos", "invalidos_sem_fuso", "movimentos_publicos")
        return {orgao: {c: n[c] for c in campos} for orgao, n in sorted(contagens.items())}
