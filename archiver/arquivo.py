"""The archive as the archiver writes it: append events, seal full segments, sign checkpoints.

No Kafka here: the shell (archiver/loop.py) hands in consumed messages. Opening an archive recovers
its state from the files alone: the last segment's header says where the log and every partition
stood when it began, and its whole records say how far it got. A record cut short by a crash (or a
last record whose CRC fails) is cut off; nothing was acknowledged for it, since a batch counts only
once it is fsynced, and a checkpoint is only ever written after that.
"""

from __future__ import annotations

__all__ = ["Arquivo"]

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from archiver.merkle import Fronteira, hash_folha
from archiver.nota import Assinante, Checkpoint, assinar_nota
from archiver.pasta import (
    arquivo_checkpoint,
    escrever_atomico,
    listar_checkpoints,
    listar_segmentos,
    pasta_segmentos,
)
from archiver.segmento import (
    CABECA_ZERO,
    EVENTO,
    HEADER,
    SELO,
    Cabecalho,
    Evento,
    Leitura,
    Selo,
    cabeca_segmento,
    codificar_evento,
    decodificar_evento,
    ler_registros,
    nome_segmento,
    registro,
)
from protocolo.entrada import Entrada
from protocolo.errors import ArchiveError

logger = logging.getLogger(__name__)


class Arquivo:
    """An archive directory open for appending (one writer at a time)."""

    def __init__(self, pasta: Path, *, topico: str, eventos_por_segmento: int) -> None:
        self.pasta = pasta
        self.topico = topico
        self.eventos_por_segmento = eventos_por_segmento
        self.global_ = Fronteira()
        self.proximos: dict[int, int] = {}
        self._cabecalho: Cabecalho | None = None
        self._segmento = Fronteira()
        self._arquivo: BinaryIO | None = None
        self._cabeca_anterior = CABECA_ZERO
        self.ultimo_checkpoint: int | None = None
        self._abrir()

    @property
    def tamanho(self) -> int:
        """Events in the archive."""
        return self.global_.tamanho

    def _abrir(self) -> None:
        pasta_segmentos(self.pasta).mkdir(parents=True, exist_ok=True)
        segmentos, _ = listar_segmentos(self.pasta)
        checkpoints = listar_checkpoints(self.pasta)
        self.ultimo_checkpoint = checkpoints[-1][0] if checkpoints else None
        if not segmentos:
            self._novo_segmento(0)
            return
        numero, caminho = segmentos[-1]
        self._retomar(numero, caminho)

    def _retomar(self, numero: int, caminho: Path) -> None:
        """Rebuild the state from the last segment and cut off a torn tail."""
        leitura = Leitura()
        with open(caminho, "rb") as f:
            registros = list(ler_registros(f, leitura))
        if not registros or registros[0].tipo != HEADER or not registros[0].integro:
            raise ArchiveError(f"{caminho}: o primeiro registro não é um cabeçalho íntegro")
        cabecalho = Cabecalho.de(registros[0].corpo)
        if cabecalho.numero != numero or cabecalho.topico != self.topico:
            raise ArchiveError(
                f"{caminho}: o cabeçalho diz segmento {cabecalho.numero} do tópico {cabecalho.topico}; "
                f"esperado segmento {numero} do tópico {self.topico}"
            )
        corpo = registros[1:]
        fim = leitura.fim
        if corpo and not corpo[-1].integro:
            # A torn last record whose frame happened to be whole: cut it off like a short one.
            fim = corpo[-1].posicao
            corpo = corpo[:-1]
        self._cabecalho = cabecalho
        self.global_ = Fronteira.de(cabecalho.primeiro_indice, cabecalho.fronteira)
        self.proximos = dict(cabecalho.proximos)
        self._segmento = Fronteira()
        selo: Selo | None = None
        for i, reg in enumerate(corpo, start=1):
            if not reg.integro or selo is not None:
                raise ArchiveError(f"{caminho}: registro {i} corrompido; rode `protocolo audit verify`")
            if reg.tipo == SELO:
                selo = Selo.de(reg.corpo)
                continue
            self._contar(reg.corpo)
        if fim < caminho.stat().st_size:
            logger.warning("torn tail cut off segment=%d bytes=%d", numero, caminho.stat().st_size - fim)
            with open(caminho, "r+b") as f:
                f.truncate(fim)
                os.fsync(f.fileno())
        if selo is not None:
            self._cabeca_anterior = selo.cabeca
            self._novo_segmento(numero + 1)
            return
        self._arquivo = open(caminho, "ab")
        logger.info("archive resumed segment=%d events=%d", numero, self.tamanho)

    def _contar(self, corpo: bytes) -> None:
        """Account one event record already on disk (its leaf, its partition's next offset)."""
        folha = hash_folha(corpo)
        self.global_.adicionar(folha)
        self._segmento.adicionar(folha)
        evento = decodificar_evento(corpo)
        self.proximos[evento.particao] = evento.offset + 1

    def _novo_segmento(self, numero: int) -> None:
        cabecalho = Cabecalho(
            numero=numero,
            topico=self.topico,
            primeiro_indice=self.tamanho,
            anterior=self._cabeca_anterior,
            fronteira=self.global_.hashes,
            proximos=dict(self.proximos),
        )
        caminho = pasta_segmentos(self.pasta) / nome_segmento(numero)
        escrever_atomico(caminho, registro(HEADER, cabecalho.corpo()))
        self._cabecalho = cabecalho
        self._segmento = Fronteira()
        self._arquivo = open(caminho, "ab")
        logger.info("segment opened segment=%d first_index=%d", numero, self.tamanho)

    def anexar(self, mensagens: Sequence[Entrada]) -> None:
        """Append a batch and make it durable (fsync) before returning; seals segments that fill up."""
        partes: list[bytes] = []
        for m in mensagens:
            if m.offset < self.proximos.get(m.particao, 0):
                continue  # delivered again (a rebalance): the archive already has it
            carimbo_ms = round(m.carimbo * 1000)
            corpo = codificar_evento(
                Evento(self.tamanho, m.topico, m.particao, m.offset, carimbo_ms, m.chave, m.valor)
            )
            folha = hash_folha(corpo)
            self.global_.adicionar(folha)
            self._segmento.adicionar(folha)
            self.proximos[m.particao] = m.offset + 1
            partes.append(registro(EVENTO, corpo))
            if self._segmento.tamanho >= self.eventos_por_segmento:
                self._gravar(partes)
                partes = []
                self._selar()
        self._gravar(partes)

    def _gravar(self, partes: list[bytes]) -> None:
        assert self._arquivo is not None
        if partes:
            self._arquivo.write(b"".join(partes))
        self._arquivo.flush()
        os.fsync(self._arquivo.fileno())

    def _selar(self) -> None:
        assert self._arquivo is not None and self._cabecalho is not None
        raiz = self._segmento.raiz()
        cabeca = cabeca_segmento(self._cabecalho, eventos=self._segmento.tamanho, raiz=raiz)
        self._arquivo.write(registro(SELO, Selo(self._segmento.tamanho, raiz, cabeca).corpo()))
        self._gravar([])
        self._arquivo.close()
        logger.info("segment sealed segment=%d events=%d", self._cabecalho.numero, self._segmento.tamanho)
        self._cabeca_anterior = cabeca
        self._novo_segmento(self._cabecalho.numero + 1)

    def checkpoint(self, assinante: Assinante, *, origem: str) -> Path | None:
        """Sign the current tree head (if it grew since the last checkpoint); returns the file written."""
        if self.tamanho == self.ultimo_checkpoint:
            return None
        texto = Checkpoint(origem, self.tamanho, self.global_.raiz()).texto()
        caminho = arquivo_checkpoint(self.pasta, self.tamanho)
        escrever_atomico(caminho, assinar_nota(texto, assinante).encode())
        self.ultimo_checkpoint = self.tamanho
        logger.info("checkpoint written size=%d", self.tamanho)
        return caminho

    def fechar(self) -> None:
        """Close the active segment's file (everything written is already durable)."""
        if self._arquivo is not None:
            self._arquivo.close()
            self._arquivo = None
