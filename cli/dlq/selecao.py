"""Which dead letters a `dlq` command looks at: read from a DLQ topic, filtered, masked for display."""

from __future__ import annotations

__all__ = ["Carta", "Selecao", "ler_cartas", "resolver_dlq"]

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cli.replay.intervalo import Fim, Limite
from cli.replay.leitura import Faixa, Leitura, resolver_faixa
from cli.replay.linhas import Filtro, TopicoDesconhecido, resolver_topico
from cli.replay.percurso import Contagem, percorrer
from protocolo.avro import Catalogo
from protocolo.rejeicoes import Origem, Rejeitado, rejeitado_de
from protocolo.settings import KafkaSettings, TopicSettings


def resolver_dlq(nome: str, topicos: TopicSettings) -> str:
    """The DLQ topic named by an alias (`dlq`, `dlq_indexacao`) or its name; TopicoDesconhecido otherwise."""
    if nome == "dlq_indexacao":
        return topicos.dlq_indexacao
    topico, registro = resolver_topico(nome, topicos)
    if registro != "dead_letter":
        raise TopicoDesconhecido(
            f"{nome!r} não é um tópico de cartas mortas; use dlq ({topicos.dlq}) "
            f"ou dlq_indexacao ({topicos.dlq_indexacao})"
        )
    return topico


@dataclass(frozen=True)
class Carta:
    """A dead letter: its masked view and its record (original bytes included)."""

    rejeitado: Rejeitado
    registro: dict[str, Any]


@dataclass(frozen=True)
class Selecao:
    """--orgao, --codigo and dead letters named by position (`particao/offset`)."""

    filtro: Filtro = Filtro()
    codigo: str | None = None
    posicoes: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def aceita(self, rejeitado: Rejeitado) -> bool:
        """Whether a dead letter passes the code and position filters (the órgão was filtered by the pass)."""
        if self.codigo is not None and rejeitado.codigo != self.codigo.upper():
            return False
        return not self.posicoes or (rejeitado.carta.particao, rejeitado.carta.offset) in self.posicoes


def ler_cartas(
    settings: KafkaSettings,
    topico: str,
    *,
    catalogo: Catalogo,
    selecao: Selecao,
    desde: Limite,
    contagem: Contagem,
    ao_ilegivel: Callable[[int, int, str], None],
    ao_ler: Callable[[Leitura], None] = lambda _leitura: None,
    faixas: dict[int, Faixa] | None = None,
) -> Iterator[Carta]:
    """The selected dead letters of `topico` from `desde` to its end (or in `faixas`, when given), in
    each partition's order."""
    faixas = faixas if faixas is not None else resolver_faixa(settings, topico, desde, Fim())
    with Leitura(settings, topico, faixas) as leitura:
        for mensagem, linha in percorrer(
            leitura,
            catalogo=catalogo,
            registro="dead_letter",
            filtro=selecao.filtro,
            contagem=contagem,
            ao_ilegivel=ao_ilegivel,
        ):
            assert linha is not None
            carta = Origem(topico, mensagem.partition() or 0, mensagem.offset() or 0)
            rejeitado = rejeitado_de(catalogo, linha, carta=carta)
            ao_ler(leitura)
            if selecao.aceita(rejeitado):
                yield Carta(rejeitado, linha)
