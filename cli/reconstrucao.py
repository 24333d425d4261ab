"""A rebuild: the streams run again over every raw event into the next generation of the derived topics,
then a reindex from those topics swaps the aliases.

1. The next generation's settings (protocolo.geracao): topic versions for processos, movimentos and
   the raw-event DLQ, a new streams app id (new tables), a state dir of its own.
2. The raw topic is read once to its end: how many events, and where each partition ends now.
3. One streams worker of the new generation (`python -m streams`, the same code as always) runs until
   its group has committed every partition of the raw topic, and of its re-keying topic, up to its end.
4. `Reindexacao` builds new indices from the new topics and swaps the aliases (indexer/reindexacao).
5. The next generation's indexer, notifier and webhooks groups are committed where the reindex found
   the end of the new topics (and the notifier's at the end of inscricoes), so the switch indexes no
   second time and mails or posts no movimento of the past (`posicionar_grupos`).
6. The pointer on the generation topic is moved to the new generation (`trocar`); the running
   services stop cleanly and come back on it, and the rebuild waits for their reports
   (`esperar_servicos`). `--sem-troca` skips 6 and prints the settings instead (`ambiente`).
"""

from __future__ import annotations

__all__ = ["Reconstrucao", "Troca", "proxima_geracao"]

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from confluent_kafka import TopicPartition

from cli.stack import LocalStack
from protocolo.errors import ReindexFailed
from protocolo.geracao import (
    Confirmacao,
    confirmacoes,
    nome_na_geracao,
    servico_na_geracao,
    servicos_em,
    servicos_pendentes,
)
from protocolo.geracao_topico import gravar_ponteiro, ler_geracoes
from protocolo.kafka import create_topics, make_consumer
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import Settings

logger = logging.getLogger(__name__)

Avanco = Callable[[int, int], None]  # (raw events the new generation committed, of how many)
AvancoTroca = Callable[[set[str], set[str]], None]  # (services on the new generation, still pending)


@dataclass
class Troca:
    """How the switch went: which services ran, which came back on the new generation, which did not."""

    esperados: set[str] = field(default_factory=set)
    confirmados: set[str] = field(default_factory=set)
    antigos: list[Confirmacao] = field(default_factory=list)  # instances still reporting the old one
    duracao_s: float = 0.0

    @property
    def pendentes(self) -> set[str]:
        """The services that ran before the switch and no instance of which reported the new one."""
        return self.esperados - self.confirmados


def _nada(feitos: int, total: int) -> None:
    return None


def proxima_geracao(settings: Settings) -> Settings:
    """The settings of the next generation of the derived topics and of the streams."""
    geracao = settings.streams.geracao + 1
    topicos = settings.kafka.topics
    novos = {
        campo: nome_na_geracao(getattr(topicos, campo), geracao)
        for campo in ("processos", "movimentos", "dlq")
    }
    kafka = settings.kafka.model_copy(update={"topics": topicos.model_copy(update=novos)})
    # Metrics off: the running worker may hold the port.
    streams = settings.streams.model_copy(update={"geracao": geracao, "metrics_port": 0})
    pasta = settings.state_dir / "rebuild" / f"v{geracao}"
    return settings.model_copy(update={"kafka": kafka, "streams": streams, "state_dir": pasta})


def _fins(settings: Settings, topico: str) -> tuple[dict[int, int], int]:
    """`topico` read to its end: partition -> offset after its last message, and how many messages."""
    fins: dict[int, int] = {}
    mensagens = 0
    for mensagem in ler_ate_o_fim(settings.kafka, topico):
        fins[mensagem.partition() or 0] = (mensagem.offset() or 0) + 1
        mensagens += 1
    return fins, mensagens


class Reconstrucao:
    """One rebuild from `settings` (the running generation) into the next one."""

    def __init__(self, settings: Settings, *, avanco: Avanco = _nada, espera_s: float = 1.0) -> None:
        self.atual = settings
        self.nova = proxima_geracao(settings)
        self.avanco = avanco
        self.espera_s = espera_s
        self.eventos = 0

    def ambiente(self) -> dict[str, str]:
        """The settings every service must run with to switch to the new generation."""
        topicos = self.nova.kafka.topics
        return {
            "PROTOCOLO_TOPIC_PROCESSOS": topicos.processos,
            "PROTOCOLO_TOPIC_MOVIMENTOS": topicos.movimentos,
            "PROTOCOLO_TOPIC_DLQ": topicos.dlq,
            "PROTOCOLO_STREAMS_GERACAO": str(self.nova.streams.geracao),
        }

    def recalcular(self) -> None:
        """Run a streams worker of the new generation until it processed every raw event there is now."""
        create_topics(self.nova.kafka)
        eventos = self.nova.kafka.topics.eventos
        fins, self.eventos = _fins(self.nova, eventos)
        self.nova.state_dir.mkdir(parents=True, exist_ok=True)
        pilha = LocalStack(self.nova, servicos=("streams",))
        try:
            pilha.iniciar_servicos()
            grupo = self.nova.kafka.group(servico_na_geracao("streams", self.nova.streams.geracao))
            self._esperar(pilha, grupo, eventos, fins, contar=True)
            # Events read from a partition other than their NUP's went through the re-keying topic.
            por_nup = f"{grupo}-eventos-por-nup"
            self._esperar(pilha, grupo, por_nup, _fins(self.nova, por_nup)[0], contar=False)
        finally:
            pilha.parar()

    def posicionar_grupos(self, fins_reindex: Mapping[str, Mapping[int, int]]) -> None:
        """Commit the next generation's indexer, notifier and webhooks groups at the end of their topics.

        `fins_reindex`: topic -> partition -> offset after the last message the reindex read from the
        new topics (it read them to their end; reading them again only to learn where they end would
        cost as much). The indexer's group starts there: what is before is in the new indices, so no
        second reindex is needed after the switch.

        The notifier's group has no offsets on the new movimentos topic, and a group without offsets
        starts from the beginning: every subscriber would be mailed every movimento of their
        processo's history that the Message-ID log has no record of (all those before they
        subscribed). From the end, it mails what the new generation emits after the rebuild; what the
        running generation also mails in between has the same Message-ID and is sent once. The group
        is empty (nothing of the new generation runs yet), so the broker takes a commit from outside it.

        The webhooks deliverer's group of the next generation is placed at the same ends, for the same
        reason: from the beginning it would post every old movimento to every integrator again. Its
        processos offsets too: its table of saved-search matches (not derived) already holds what the
        new snapshots, the same processos, match.

        The alert sender's too, on the new processos and movimentos topics and at the end of `alertas`
        (not derived: the same topic in every generation; the sender reads it whole at start). Its outbox
        would keep it from telling a processo twice, but reading all of history again would take as
        long as the reindex did.
        """
        topicos = self.nova.kafka.topics
        movimentos = dict(fins_reindex.get(topicos.movimentos, {}))
        fins = {topicos.movimentos: movimentos, topicos.inscricoes: _fins(self.nova, topicos.inscricoes)[0]}
        geracao = self.nova.streams.geracao
        for servico, topicos_do_grupo in (
            ("indexer", {t: dict(fins_reindex.get(t, {})) for t in (topicos.processos, topicos.movimentos)}),
            ("notifier", fins),
            (
                "webhooks",
                {
                    topicos.processos: dict(fins_reindex.get(topicos.processos, {})),
                    topicos.movimentos: movimentos,
                },
            ),
            (
                "alertas",
                {
                    topicos.processos: dict(fins_reindex.get(topicos.processos, {})),
                    topicos.movimentos: movimentos,
                    topicos.alertas: _fins(self.nova, topicos.alertas)[0],
                },
            ),
        ):
            grupo = self.nova.kafka.group(servico_na_geracao(servico, geracao))
            consumidor = make_consumer(self.nova.kafka, grupo)
            try:
                posicoes = [
                    TopicPartition(t, p, o)
                    for t, ps in topicos_do_grupo.items()
                    for p, o in sorted(ps.items())
                ]
                if posicoes:
                    consumidor.commit(offsets=posicoes, asynchronous=False)
            finally:
                consumidor.close()

    def servicos_antes(self) -> set[str]:
        """The services that report running the current generation now (before the switch)."""
        return servicos_em(confirmacoes(ler_geracoes(self.atual.kafka)), self.atual.streams.geracao)

    def trocar(self) -> None:
        """Make the new generation the active one: the running services stop and come back on it."""
        gravar_ponteiro(self.nova, self.nova.streams.geracao)

    def esperar_servicos(
        self, esperados: set[str], *, prazo_s: float, avanco: AvancoTroca | None = None
    ) -> Troca:
        """Wait (up to `prazo_s`) until an instance of each of `esperados` reports the new generation."""
        geracao = self.nova.streams.geracao
        inicio = time.monotonic()
        troca = Troca(esperados=set(esperados))
        while True:
            relatos = confirmacoes(ler_geracoes(self.nova.kafka))
            pendentes = servicos_pendentes(esperados, relatos, geracao)
            troca.confirmados = set(esperados) - pendentes
            troca.antigos = [r for r in relatos if r.geracao < geracao]
            troca.duracao_s = time.monotonic() - inicio
            if avanco is not None:
                avanco(troca.confirmados, pendentes)
            if not pendentes or troca.duracao_s >= prazo_s:
                return troca
            time.sleep(self.espera_s)

    def _esperar(
        self, pilha: LocalStack, grupo: str, topico: str, fins: dict[int, int], *, contar: bool
    ) -> None:
        consumidor = make_consumer(self.nova.kafka, grupo)
        try:
            while True:
                if (morto := pilha.morto()) is not None:
                    raise ReindexFailed(f"o worker dos streams da nova geração terminou; veja {morto.log}")
                pedidas = [TopicPartition(topico, p) for p in fins]
                feitos = {tp.partition: max(tp.offset, 0) for tp in consumidor.committed(pedidas, timeout=10)}
                if contar:
                    self.avanco(sum(feitos.values()), self.eventos)
                if all(feitos.get(p, 0) >= fim for p, fim in fins.items()):
                    return
                time.sleep(self.espera_s)
        finally:
            consumidor.close()
