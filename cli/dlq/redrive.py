"""What a redrive sends back to the raw topic, and how it knows what it already sent. Pure.

Each redriven message carries the header `protocolo-dead-letter: <dlq topic>/<partition>/<offset>`,
naming the dead letter it answers. Before sending, the command reads those headers on the raw topic
(from the oldest selected dead letter's time on): a dead letter already redriven is not sent again
unless forced. Whatever reaches the streams twice anyway (forced, or the same event published
again by its agency) is judged by identity (orgao, id) and content fingerprint there: an exact
resend is only counted and adds nothing to the index; the same identity with other content is a
CONFLITO dead letter.
"""

from __future__ import annotations

__all__ = ["CABECALHO", "Plano", "planejar", "reenviadas_nos_cabecalhos"]

from collections.abc import Iterable
from dataclasses import dataclass, field

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


def reenviadas_nos_cabecalhos(cabecalhos: Iterable[Cabecalhos | None]) -> set[str]:
    """The dead letters named by the redrive headers of the raw topic's messages."""
    nomes = set()
    for lista in cabecalhos:
        for chave, valor in lista or ():
            if chave == CABECALHO and valor is not None:
                nomes.add(valor.decode() if isinstance(valor, bytes) else valor)
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
