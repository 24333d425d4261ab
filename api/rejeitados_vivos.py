"""The raw events' DLQ followed by a background thread into a bounded view per órgão (api.rejeitados).

Requests never read the topic: the reader does, once from the beginning and then live, and keeps
only each órgão's latest masked dead letters. The DLQ is a derived topic: when `protocolo rebuild`
switches the generation, `topico()` names the new one, and the reader reads it from the beginning into
a new view, swapped in once read to its end (the old view answers meanwhile). Memory is bounded by the setting
`api.gateway_rejeitados_por_orgao`, whatever the DLQ holds; the first read of a large DLQ takes
a while, and the gateway answers 503 until it reached the end once.
"""

from __future__ import annotations

__all__ = ["RejeitadosVivos"]

import logging
import threading
from collections.abc import Callable

from confluent_kafka import KafkaException

from api.rejeitados import RejeitadosPorOrgao
from protocolo.avro import Catalogo
from protocolo.errors import CodecError
from protocolo.leitura import Leitor
from protocolo.rejeicoes import Origem, rejeitado_de
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)


class RejeitadosVivos:
    """Follows the raw DLQ topic; `atual` is the view, `carregada` once the topic was read to its end."""

    def __init__(
        self,
        settings: KafkaSettings,
        catalogo: Catalogo,
        *,
        por_orgao: int,
        topico: Callable[[], str] | None = None,
    ) -> None:
        self._settings = settings
        self._topico = topico or (lambda: settings.topics.dlq)
        self._catalogo = catalogo
        self.atual = RejeitadosPorOrgao(por_orgao)
        self._carregada = threading.Event()
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._seguir, name="rejeitados", daemon=True)

    @property
    def carregada(self) -> bool:
        """The DLQ was read to its end at least once."""
        return self._carregada.is_set()

    def iniciar(self) -> None:
        """Start following (does not wait: the first read of a large DLQ may take a while)."""
        self._thread.start()

    def parar(self) -> None:
        """Stop following."""
        self._parar.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _seguir(self) -> None:
        while not self._parar.is_set():
            topico = self._topico()
            try:
                leitor = Leitor(self._settings, topico)
            except KafkaException as exc:
                logger.warning("topic=%s unavailable, retrying error=%s", topico, exc)
                self._parar.wait(1.0)
                continue
            with leitor:
                self._acompanhar(leitor, topico)

    def _acompanhar(self, leitor: Leitor, topico: str) -> None:
        """Read `topico` into a new view, swapped in at its end; return when another topic is active."""
        # A new reader starts a new view: nothing is counted twice, and the old one answers meanwhile.
        vista = RejeitadosPorOrgao(self.atual.por_orgao)
        no_fim = False
        while not self._parar.is_set():
            for mensagem in leitor.ler(0.5):
                self._aplicar(
                    vista, topico, mensagem.partition() or 0, mensagem.offset() or 0, mensagem.value()
                )
            if leitor.no_fim and not no_fim:
                no_fim = True
                self.atual = vista
                logger.info("topic=%s loaded", topico)
                self._carregada.set()
            if no_fim and self._topico() != topico:
                logger.info("generation switched, reading the new DLQ topic=%s", self._topico())
                return

    def _aplicar(
        self, vista: RejeitadosPorOrgao, topico: str, particao: int, offset: int, valor: bytes | None
    ) -> None:
        try:
            registro = self._catalogo.decode("dead_letter", valor or b"")
        except CodecError as exc:
            logger.error(
                "dead letter skipped topic=%s partition=%s offset=%s reason=%s", topico, particao, offset, exc
            )
            return
        vista.adicionar(rejeitado_de(self._catalogo, registro, carta=Origem(topico, particao, offset)))
