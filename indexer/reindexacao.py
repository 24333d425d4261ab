"""A reindex: new versioned indices built from the topics, then an atomic alias swap, with no write lost.

1. New indices (indexer/versoes.nome_novo) with the current templates, tuned for a backfill (no
   refresh, no replicas), each behind a build alias `<alias>-construcao` (bulk writes name an alias,
   `require_alias`, as the live indexer's do).
2. The build reads the processos topic, then the movimentos topic, from the beginning to their end,
   without a consumer group, and writes each batch through the indexer's own plan
   (indexer/plano.planejar_lote) and sink (indexer/sink.aplicar). It notes, per partition, the
   offset after the last message read.
3. Catch-up passes read from those offsets to the current end (the live indexer keeps writing the
   old indices meanwhile), until a pass finds nothing new; the bulk settings are restored, the
   indices refreshed.
4. One `_aliases` request moves both read aliases (and drops the build aliases): from then on the
   live indexer writes the new indices, because it writes through the aliases.
5. A last catch-up pass from the noted offsets to the end writes again what the live indexer may have
   written to the old indices just before the swap. Writing twice is harmless: snapshots carry
   external versions, movimentos their ids.

Old indices stay, unaliased, until `remover_antigos`. Dead letters are not sent again: the live
indexer sent them when it first met those messages; the summary counts them.
"""

from __future__ import annotations

__all__ = ["Destino", "Reindexacao", "Resumo", "remover_antigos"]

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, KafkaException
from elasticsearch import Elasticsearch

from indexer.contagem import Contagem
from indexer.indices import instalar_templates
from indexer.mappings import INDICES, VERSAO_MAPEAMENTO, definicao
from indexer.plano import planejar_lote
from indexer.sink import aplicar, remover_movimentos_ocultos, sem_ocultos_do_indice
from indexer.versoes import acoes_da_troca, nome_novo, sem_alias
from protocolo.avro import catalogo_padrao
from protocolo.entrada import Entrada
from protocolo.errors import ReindexFailed
from protocolo.kafka import entrada_de, make_admin
from protocolo.leitura import Leitor
from protocolo.search import make_search
from protocolo.settings import Settings

logger = logging.getLogger(__name__)

Progresso = Callable[[str, int], None]  # (topic, messages just written)
_PASSES_ANTES_DA_TROCA = 5


def _sem_progresso(topico: str, mensagens: int) -> None:
    return None


@dataclass(frozen=True)
class Destino:
    """Where a batch is written: the processos and movimentos indices (or aliases)."""

    processos: str
    movimentos: str


@dataclass
class Resumo:
    """What a reindex read and wrote, to compare topics with the new indices."""

    novos: dict[str, str]  # alias -> new index
    antigos: dict[str, list[str]]  # alias -> the indices it pointed to before
    lidas: dict[str, int] = field(default_factory=dict)  # topic -> messages read
    esperados: dict[str, int] = field(default_factory=dict)  # family -> documents the topics make
    no_indice: dict[str, int] = field(default_factory=dict)  # family -> documents in the new index
    corrompidas: int = 0
    rejeitados: int = 0
    duracao_s: float = 0.0
    fins: dict[str, dict[int, int]] = field(default_factory=dict)  # topic -> partition -> next offset read


class Reindexacao:
    """One reindex of both families, from settings' topics into new indices; `executar` does it all."""

    def __init__(
        self,
        settings: Settings,
        *,
        progresso: Progresso = _sem_progresso,
        lote_max: int = 2000,
        agora: datetime | None = None,
    ) -> None:
        self.settings = settings
        self.progresso = progresso
        self.lote_max = lote_max
        self.es: Elasticsearch = make_search(settings.search).options(max_retries=0, retry_on_timeout=False)
        self.catalogo = catalogo_padrao()
        topicos = settings.kafka.topics
        self.topicos = [topicos.processos, topicos.movimentos]
        self.aliases = {nome: settings.search.alias(nome) for nome in INDICES}
        momento = agora or datetime.now(UTC)
        self.novos = {a: nome_novo(a, versao=VERSAO_MAPEAMENTO, agora=momento) for a in self.aliases.values()}
        self.construcao = Destino(*(f"{self.aliases[n]}-construcao" for n in ("processos", "movimentos")))
        self.contagem = Contagem()
        self.fins: dict[str, dict[int, int]] = {t: {} for t in self.topicos}  # next offset to read
        self.resumo = Resumo(novos=dict(self.novos), antigos={})

    def executar(self) -> Resumo:
        """Build, catch up, swap, catch up again; the summary compares the topics with the new indices."""
        inicio = time.monotonic()
        replicas = self._preparar()
        for topico in self.topicos:
            self._ler(topico, self.construcao, inicio=None)
        for _ in range(_PASSES_ANTES_DA_TROCA):
            if not self._alcancar(self.construcao):
                break
        self._concluir(replicas)
        self._trocar()
        self._alcancar(Destino(self.aliases["processos"], self.aliases["movimentos"]))
        self.es.indices.refresh(index=",".join(self.novos.values()))
        self._comparar()
        self.resumo.fins = {t: dict(ps) for t, ps in self.fins.items()}
        self.resumo.duracao_s = time.monotonic() - inicio
        return self.resumo

    def _preparar(self) -> dict[str, Any]:
        """Templates, the new indices with backfill settings, the build aliases; the old replica counts."""
        instalar_templates(self.es, self.settings.search)
        replicas: dict[str, Any] = {}
        for nome, alias in self.aliases.items():
            atuais = self.es.options(ignore_status=404).indices.get_alias(name=alias)
            self.resumo.antigos[alias] = sorted(atuais.body) if atuais.meta.status == 200 else []
            for indice in self.resumo.antigos[alias][:1]:
                ajustes = self.es.indices.get_settings(index=indice, name="index.number_of_replicas").body
                replicas[alias] = ajustes[indice]["settings"]["index"]["number_of_replicas"]
            corpo = definicao(nome)
            corpo["settings"] = {**corpo["settings"], "number_of_replicas": 0, "refresh_interval": "-1"}
            construcao = getattr(self.construcao, nome)
            self.es.options(ignore_status=404).indices.delete_alias(index="_all", name=construcao)
            self.es.indices.create(index=self.novos[alias], **corpo)
            self.es.indices.put_alias(index=self.novos[alias], name=construcao, is_write_index=True)
            logger.info("reindex started index=%s alias=%s", self.novos[alias], alias)
        return replicas

    def _ler(self, topico: str, destino: Destino, *, inicio: Mapping[int, int] | None) -> int:
        """Read `topico` from `inicio` (None: the beginning) to its end into `destino`; messages read."""
        lidas = 0
        try:
            with Leitor(self.settings.kafka, topico, inicio=inicio) as leitor:
                lote: list[Entrada] = []
                while not leitor.no_fim or lote:
                    mensagens = [] if leitor.no_fim else leitor.ler()
                    lote += [entrada_de(m) for m in mensagens]
                    if lote and (len(lote) >= self.lote_max or not mensagens):
                        self._escrever(lote, destino)
                        for e in lote:
                            self.fins[topico][e.particao] = e.offset + 1
                        lidas += len(lote)
                        self.progresso(topico, len(lote))
                        lote = []
        except KafkaException as exc:
            raise ReindexFailed(f"não foi possível ler o tópico {topico}: {exc}") from exc
        self.resumo.lidas[topico] = self.resumo.lidas.get(topico, 0) + lidas
        return lidas

    def _alcancar(self, destino: Destino) -> int:
        """One catch-up pass of both topics from the offsets noted; messages read."""
        lidas = 0
        for topico in self.topicos:
            metadados = make_admin(self.settings.kafka).list_topics(topico, timeout=15).topics[topico]
            inicio = {p: self.fins[topico].get(p, OFFSET_BEGINNING) for p in metadados.partitions}
            lidas += self._ler(topico, destino, inicio=inicio)
        return lidas

    def _escrever(self, entradas: list[Entrada], destino: Destino) -> None:
        """One batch through the indexer's plan and sink, into `destino`."""
        plano = planejar_lote(
            entradas,
            catalogo=self.catalogo,
            topico_processos=self.topicos[0],
            alias_processos=destino.processos,
            alias_movimentos=destino.movimentos,
            agora=datetime.now(UTC),
        )
        self.contagem.contar(plano.acoes, indice_processos=destino.processos)
        plano = sem_ocultos_do_indice(
            self.es,
            plano,
            indice_processos=destino.processos,
            indice_movimentos=destino.movimentos,
            garantir=self._sumiu,
        )
        self.resumo.rejeitados += len(aplicar(self.es, plano.acoes, garantir=self._sumiu))
        self.resumo.corrompidas += len(plano.cartas)
        remover_movimentos_ocultos(
            self.es, plano.ocultos, indice_movimentos=destino.movimentos, garantir=self._sumiu
        )

    def _sumiu(self) -> None:
        raise ReindexFailed("os índices novos sumiram do servidor de busca durante a reindexação")

    def _concluir(self, replicas: Mapping[str, Any]) -> None:
        """Back to the template's refresh and the old replica count, then make everything searchable."""
        for alias, novo in self.novos.items():
            ajustes = {"refresh_interval": None, "number_of_replicas": replicas.get(alias)}
            self.es.indices.put_settings(index=novo, settings={"index": ajustes})
        self.es.indices.refresh(index=",".join(self.novos.values()))

    def _trocar(self) -> None:
        """Move both aliases to the new indices and drop the build aliases, in one request."""
        acoes = acoes_da_troca(self.novos, self.resumo.antigos)
        construcao = {self.aliases["processos"]: self.construcao.processos}
        construcao[self.aliases["movimentos"]] = self.construcao.movimentos
        acoes += [{"remove": {"index": self.novos[a], "alias": c}} for a, c in sorted(construcao.items())]
        self.es.indices.update_aliases(actions=acoes)
        logger.info("aliases swapped new=%s", ",".join(sorted(self.novos.values())))

    def _comparar(self) -> None:
        processos, movimentos = self.contagem.esperados()
        self.resumo.esperados = {"processos": processos, "movimentos": movimentos}
        for nome, alias in self.aliases.items():
            self.resumo.no_indice[nome] = int(self.es.count(index=self.novos[alias])["count"])


def remover_antigos(settings: Settings) -> list[str]:
    """Delete every index of the families that no alias points to; returns their names."""
    es = make_search(settings.search)
    aliases = [settings.search.alias(nome) for nome in INDICES]
    padrao = ",".join(f"{a}-v*" for a in aliases)
    por_indice = es.indices.get_alias(index=padrao).body
    sobras = sem_alias({i: list(d.get("aliases", {})) for i, d in por_indice.items()}, aliases)
    for indice in sobras:
        es.indices.delete(index=indice)
        logger.info("old index removed index=%s", indice)
    return sobras
