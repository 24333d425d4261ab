"""Inclusion and consistency proofs out of an archive, and the proof file auditors keep (no Kafka).

A proof file (JSON) holds the signed checkpoint and, per event, its index, its leaf bytes (base64)
and its audit path (hex). Anyone can check it with the checkpoint's public key alone: verify the
note's signature, hash each leaf, walk its path up to the checkpoint's root.
"""

from __future__ import annotations

__all__ = [
    "ProvaConsistencia",
    "ProvaInclusao",
    "checkpoint_assinado",
    "json_de_prova",
    "ler_folhas",
    "provar_consistencia",
    "provar_inclusao",
    "verificar_arquivo_de_prova",
]

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.merkle import Arvore, hash_folha, verificar_consistencia, verificar_inclusao
from archiver.nota import Checkpoint, Verificador, abrir_nota
from archiver.pasta import arquivo_checkpoint, listar_checkpoints, listar_segmentos
from archiver.segmento import EVENTO, Evento, decodificar_evento, ler_registros
from protocolo.errors import ArchiveError, InvalidNote


def ler_folhas(
    pasta: Path, *, escolher: Callable[[Evento], bool] = lambda _e: False
) -> tuple[list[bytes], list[tuple[Evento, bytes]]]:
    """Every event's leaf hash in log order, and the events `escolher` picks with their leaf bytes."""
    folhas: list[bytes] = []
    escolhidos: list[tuple[Evento, bytes]] = []
    segmentos, _ = listar_segmentos(pasta)
    for _numero, caminho in segmentos:
        with open(caminho, "rb") as f:
            for reg in ler_registros(f):
                if reg.tipo != EVENTO:
                    continue
                folhas.append(hash_folha(reg.corpo))
                evento = decodificar_evento(reg.corpo)
                if escolher(evento):
                    escolhidos.append((evento, reg.corpo))
    return folhas, escolhidos


def checkpoint_assinado(
    pasta: Path, verificador: Verificador, tamanho: int | None = None
) -> tuple[str, Checkpoint]:
    """The signed note and checkpoint of size `tamanho` (the latest by default), signature checked."""
    checkpoints = listar_checkpoints(pasta)
    if not checkpoints:
        raise ArchiveError(f"{pasta}: nenhum checkpoint")
    if tamanho is None:
        caminho = checkpoints[-1][1]
    else:
        caminho = arquivo_checkpoint(pasta, tamanho)
        if not caminho.exists():
            existentes = ", ".join(str(t) for t, _ in checkpoints[-5:])
            raise ArchiveError(f"não há checkpoint de tamanho {tamanho} (últimos: {existentes})")
    nota = caminho.read_text(encoding="utf-8")
    return nota, Checkpoint.ler(abrir_nota(nota, verificador))


@dataclass(frozen=True)
class ProvaInclusao:
    """One event's audit path to a checkpoint's root."""

    evento: Evento
    folha: bytes
    caminho: list[bytes]

    def como_dict(self) -> dict[str, Any]:
        return {
            "indice": self.evento.indice,
            "particao": self.evento.particao,
            "offset": self.evento.offset,
            "folha": base64.b64encode(self.folha).decode(),
            "caminho": [h.hex() for h in self.caminho],
        }


def provar_inclusao(
    folhas: list[bytes], escolhidos: list[tuple[Evento, bytes]], checkpoint: Checkpoint
) -> tuple[list[ProvaInclusao], list[Evento]]:
    """Audit paths to `checkpoint` for the chosen events it covers, and the events it does not yet."""
    if checkpoint.tamanho > len(folhas):
        raise ArchiveError(f"o checkpoint cobre {checkpoint.tamanho} eventos, o arquivo tem {len(folhas)}")
    arvore = Arvore(folhas[: checkpoint.tamanho])
    if arvore.raiz() != checkpoint.raiz:
        raise ArchiveError("a raiz do checkpoint não confere com o arquivo: rode `protocolo audit verify`")
    provas, fora = [], []
    for evento, corpo in escolhidos:
        if evento.indice >= checkpoint.tamanho:
            fora.append(evento)
            continue
        provas.append(ProvaInclusao(evento, corpo, arvore.inclusao(evento.indice)))
    return provas, fora


def verificar_arquivo_de_prova(dados: dict[str, Any], verificador: Verificador) -> list[str]:
    """Check a proof file: the checkpoint's signature, then each path; returns pt-BR problems (none: ok)."""
    try:
        checkpoint = Checkpoint.ler(abrir_nota(str(dados["checkpoint"]), verificador))
    except (KeyError, InvalidNote) as exc:
        return [f"checkpoint: {exc}"]
    problemas = []
    for n, prova in enumerate(dados.get("provas", [])):
        try:
            folha = base64.b64decode(prova["folha"], validate=True)
            caminho = [bytes.fromhex(h) for h in prova["caminho"]]
            indice = int(prova["indice"])
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            problemas.append(f"prova {n}: malformada ({exc})")
            continue
        ok = verificar_inclusao(
            hash_folha(folha),
            indice=indice,
            tamanho=checkpoint.tamanho,
            caminho=caminho,
            raiz=checkpoint.raiz,
        )
        if not ok:
            problemas.append(f"prova {n} (índice {indice}): o caminho não leva à raiz do checkpoint")
        elif decodificar_evento(folha).indice != indice:
            problemas.append(f"prova {n}: o evento traz outro índice")
    return problemas


@dataclass(frozen=True)
class ProvaConsistencia:
    """That the checkpoint `novo` extends `antigo`: RFC 6962's consistency proof between them."""

    antigo: Checkpoint
    novo: Checkpoint
    prova: list[bytes]

    def confere(self) -> bool:
        return verificar_consistencia(
            antigo=self.antigo.tamanho,
            novo=self.novo.tamanho,
            raiz_antiga=self.antigo.raiz,
            raiz_nova=self.novo.raiz,
            prova=self.prova,
        )

    def como_dict(self) -> dict[str, Any]:
        return {
            "antigo": {"tamanho": self.antigo.tamanho, "raiz": self.antigo.raiz.hex()},
            "novo": {"tamanho": self.novo.tamanho, "raiz": self.novo.raiz.hex()},
            "prova": [h.hex() for h in self.prova],
        }


def provar_consistencia(folhas: list[bytes], antigo: Checkpoint, novo: Checkpoint) -> ProvaConsistencia:
    """The consistency proof between two checkpoints, from the archive's leaves."""
    if not antigo.tamanho <= novo.tamanho <= len(folhas):
        raise ArchiveError(
            f"tamanhos inválidos: {antigo.tamanho} e {novo.tamanho} (o arquivo tem {len(folhas)} eventos)"
        )
    arvore = Arvore(folhas[: novo.tamanho])
    return ProvaConsistencia(antigo, novo, arvore.consistencia(antigo.tamanho))


def json_de_prova(nota: str, provas: list[ProvaInclusao]) -> str:
    """The proof file's text."""
    return json.dumps({"checkpoint": nota, "provas": [p.como_dict() for p in provas]}, indent=2)
