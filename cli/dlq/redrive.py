"""What a redrive sends back to the raw topic, and how it knows what it already sent. Pure.

Each redriven message carries the header `protocolo-dead-letter: <dlq topic>/<partition>/<offset>`,
naming the dead letter it answers. Before sending, the command reads those headers on the raw topic
(from the oldest selected dead letter's time on): a dead letter already redriven is not sent again
unless forced. The selection is never held whole: a first pass over the DLQ finds its extent (per
partition, the first and last dead letter selected, and the oldest one's time), the raw topic's
headers are read keeping only the names inside that extent, and a second pass over the same
extent sends the dead letters in batches. Whatever reaches the streams twice anyway (forced, or
the same event published again by its agency) is judged by identity (orgao, id) and content
fingerprint there: an exact resend is only counted and adds nothing to the index; the same
identity with other content is a CONFLITO dead letter.
"""

from __future__ import annotations

__all__ = ["CABECALHO", "Extensao", "Plano", "planejar", "reenviadas_nos_cabecalhos"]

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cli.dlq.selecao import Carta
from protocolo.produce import Cabecalhos

CABECALHO = "protocolo-dead-letter"


@dataclass
class Plano:
    """The messages to produce, with their headers, and the dead letters left out and why."""

    mensagens: list[tuple[bytes | None, bytes | None]] = field(default_factory=list)
    cabecalhos: list[Cabecalhos | None] = field(default_factory=list)
    enviadas: list[str] = field(default_factory=list)
    ja_reenviadas: list[str] = field(default_factory=list)
    sem_original: list[str] = field(default_factory=list)


@dataclass
class Extensao:
    """Where a selection of one DLQ topic lies: per partition its first and last offsets, how many
    dead letters it has, and when the oldest was recorded. Enough to read it again, and to keep only
    the redrive headers that can name one of them."""

    topico: str
    limites: dict[int, tuple[int, int]] = field(default_factory=dict)
    cartas: int = 0
    desde: datetime | None = None

    def incluir(self, carta: Carta) -> None:
        """Add one selected dead letter."""
        origem = carta.rejeitado.carta
        primeiro, ultimo = self.limites.get(origem.particao, (origem.offset, origem.offset))
        self.limites[origem.particao] = (min(primeiro, origem.offset), max(ultimo, origem.offset))
        self.cartas += 1
        quando = carta.rejeitado.registrado_em
        self.desde = quando if self.desde is None else min(self.desde, quando)

    def abrange(self, nome: str) -> bool:
        """Whether a dead letter named `topico/particao/offset` lies inside the extent."""
        topico, _, resto = nome.rpartition("/")
        topico, _, particao = topico.rpartition("/")
        if topico != self.topico or not particao.isdigit() or not resto.isdigit():
            return False
        limites = self.limites.get(int(particao))
        return limites is not None and limites[0] <= int(resto) <= limites[1]


def reenviadas_nos_cabecalhos(
    cabecalhos: Iterable[Cabecalhos | None], extensao: Extensao | None = None
) -> set[str]:
    """The dead letters named by the redrive headers of the raw topic's messages (only those inside
    `extensao` when given, so the set is bounded by the selection's extent, not the topic's history)."""
    nomes = set()
    for lista in cabecalhos:
        for chave, valor in lista or ():
            if chave == CABECALHO and valor is not None:
                nome = valor.decode() if isinstance(valor, bytes) else valor
                if extensao is None or extensao.abrange(nome):
                    nomes.add(nome)
    return nomes


def planejar(
    cartas: Iterable[Carta],
    *,
    ja_enviadas: set[str],
    forcar: bool = False,
    corrigido: tuple[bytes, bytes] | None = None,
) -> Plano:
    """The redrive of `cartas`: each one's original bytes and key, or the corrected (key, value) given."""
    plano = Plano()
    for carta in cartas:
        nome = str(carta.rejeitado.carta)
        if nome in ja_enviadas and not forcar:
            plano.ja_reenviadas.append(nome)
            continue
        chave: bytes | None
        valor: bytes | None
        if corrigido is not None:
            chave, valor = corrigido
        else:
            chave, valor = carta.registro.get("chave"), carta.registro.get("valor")
            if not valor:
                plano.sem_original.append(nome)
                continue
        plano.mensagens.append((chave, valor))
        plano.cabecalhos.append([(CABECALHO, nome.encode())])
        plano.enviadas.append(nome)
    return plano
