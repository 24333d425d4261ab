"""`audit verify`: everything the files of an archive must agree on, checked in one pass (no Kafka).

Per segment: the name, the header (number, first index, chain to the previous head, the log's
frontier), every record's CRC, every event's global index (in place: nothing inserted, removed or
moved), per partition increasing offsets, and the seal (event count, Merkle root, head). Over the
log: each checkpoint's signature, and its root against the root the archive gives at its size. A
failure names the segment and the event's position in it (and its global index).
"""

from __future__ import annotations

__all__ = ["Falha", "Relatorio", "verificar_arquivo"]

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.merkle import VAZIA, Fronteira, hash_folha
from archiver.nota import Checkpoint, Verificador, abrir_nota
from archiver.pasta import listar_checkpoints, listar_segmentos
from archiver.segmento import (
    CABECA_ZERO,
    EVENTO,
    HEADER,
    SELO,
    Cabecalho,
    Leitura,
    Selo,
    cabeca_segmento,
    decodificar_evento,
    ler_registros,
    nome_segmento,
)
from protocolo.errors import InvalidNote


@dataclass(frozen=True)
class Falha:
    """One thing that does not hold, and where: a segment (and an event's position in it) or a file."""

    onde: str
    motivo: str

    def __str__(self) -> str:
        return f"{self.onde}: {self.motivo}"


@dataclass
class Relatorio:
    """The outcome of a verification."""

    eventos: int = 0
    segmentos: int = 0
    checkpoints: int = 0
    ultimo_checkpoint: int | None = None
    falhas: list[Falha] = field(default_factory=list)
    avisos: list[Falha] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.falhas


def _onde(numero: int, posicao: int | None = None, indice: int | None = None) -> str:
    local = f"segmento {nome_segmento(numero)}"
    if posicao is not None:
        local += f", evento {posicao}"
    if indice is not None:
        local += f" (índice {indice})"
    return local


@dataclass
class _Estado:
    """What the pass carries from one segment to the next."""

    global_: Fronteira = field(default_factory=Fronteira)
    cabeca: bytes = CABECA_ZERO
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)


def _ler_checkpoints(pasta: Path, verificador: Verificador, relatorio: Relatorio) -> dict[int, Checkpoint]:
    validos: dict[int, Checkpoint] = {}
    for tamanho, caminho in listar_checkpoints(pasta):
        try:
            texto = abrir_nota(caminho.read_text(encoding="utf-8"), verificador)
            checkpoint = Checkpoint.ler(texto)
        except (InvalidNote, UnicodeDecodeError) as exc:
            relatorio.falhas.append(Falha(f"checkpoint {caminho.name}", str(exc)))
            continue
        if checkpoint.tamanho != tamanho:
            relatorio.falhas.append(
                Falha(
                    f"checkpoint {caminho.name}",
                    f"o nome diz {tamanho} eventos, o texto {checkpoint.tamanho}",
                )
            )
            continue
        validos[tamanho] = checkpoint
    relatorio.checkpoints = len(validos)
    return validos


def verificar_arquivo(
    pasta: Path, verificador: Verificador, *, avancar: Callable[[int, int], None] = lambda _b, _e: None
) -> Relatorio:
    """Verify the archive in `pasta` against `verificador`; `avancar(bytes, eventos)` after each segment."""
    relatorio = Relatorio()
    checkpoints = _ler_checkpoints(pasta, verificador, relatorio)
    segmentos, estranhos = listar_segmentos(pasta)
    for caminho in estranhos:
        relatorio.falhas.append(Falha(str(caminho.name), "arquivo estranho na pasta de segmentos"))
    esperado = 0
    estado = _Estado()
    for pos, (numero, caminho) in enumerate(segmentos):
        if numero != esperado:
            relatorio.falhas.append(
                Falha(_onde(esperado), f"ausente (o seguinte é {nome_segmento(numero)}): segmento removido")
            )
        esperado = numero + 1
        ultimo = pos == len(segmentos) - 1
        _verificar_segmento(numero, caminho, estado, checkpoints, relatorio, ultimo=ultimo)
        relatorio.segmentos += 1
        avancar(caminho.stat().st_size, estado.global_.tamanho)
    relatorio.eventos = estado.global_.tamanho
    if not checkpoints:
        relatorio.falhas.append(
            Falha("checkpoints", "nenhum checkpoint assinado válido: nada prova o arquivo")
        )
        return relatorio
    relatorio.ultimo_checkpoint = max(checkpoints)
    if 0 in checkpoints and checkpoints[0].raiz != VAZIA:
        relatorio.falhas.append(Falha("checkpoint 0", "a raiz de uma árvore vazia é o SHA-256 de nada"))
    for tamanho in sorted(checkpoints):
        if tamanho > relatorio.eventos:
            relatorio.falhas.append(
                Falha(
                    f"checkpoint {tamanho}",
                    f"assinado para {tamanho} eventos, o arquivo tem só {relatorio.eventos}: "
                    "eventos ou segmentos removidos do fim",
                )
            )
    if relatorio.ultimo_checkpoint < relatorio.eventos:
        relatorio.avisos.append(
            Falha(
                "checkpoints",
                f"{relatorio.eventos - relatorio.ultimo_checkpoint} eventos depois do último checkpoint "
                "ainda não estão assinados",
            )
        )
    return relatorio


def _verificar_segmento(
    numero: int,
    caminho: Path,
    estado: _Estado,
    checkpoints: dict[int, Checkpoint],
    relatorio: Relatorio,
    *,
    ultimo: bool,
) -> None:
    falhas = relatorio.falhas
    leitura = Leitura()
    with open(caminho, "rb") as f:
        registros = ler_registros(f, leitura)
        primeiro = next(registros, None)
        if primeiro is None or primeiro.tipo != HEADER or not primeiro.integro:
            falhas.append(Falha(_onde(numero), "o primeiro registro não é um cabeçalho íntegro"))
            return
        try:
            cabecalho = Cabecalho.de(primeiro.corpo)
        except ValueError as exc:
            falhas.append(Falha(_onde(numero), str(exc)))
            return
        _verificar_cabecalho(numero, cabecalho, estado, falhas)
        segmento = Fronteira()
        selo: Selo | None = None
        posicao = 0
        for reg in registros:
            if selo is not None:
                falhas.append(Falha(_onde(numero), "há registros depois do selo"))
                break
            if reg.tipo == SELO and reg.integro:
                try:
                    selo = Selo.de(reg.corpo)
                except ValueError as exc:
                    falhas.append(Falha(_onde(numero), str(exc)))
                continue
            indice_esperado = estado.global_.tamanho
            onde = _onde(numero, posicao, indice_esperado)
            posicao += 1
            folha = hash_folha(reg.corpo)
            estado.global_.adicionar(folha)
            segmento.adicionar(folha)
            _conferir_checkpoint(estado, checkpoints, falhas, onde)
            if not reg.integro or reg.tipo != EVENTO:
                falhas.append(Falha(onde, "registro corrompido (o CRC não confere): evento alterado"))
                continue
            _verificar_evento(reg.corpo, indice_esperado, estado, falhas, onde)
    if leitura.resto:
        motivo = f"{leitura.resto} bytes depois do último registro inteiro"
        if ultimo and selo is None:
            relatorio.avisos.append(
                Falha(_onde(numero), f"{motivo} (escrita interrompida; o arquivador repara)")
            )
        else:
            falhas.append(Falha(_onde(numero), motivo))
    if selo is None:
        if not ultimo:
            falhas.append(Falha(_onde(numero), "não foi selado, mas há segmentos depois dele"))
        return
    raiz = segmento.raiz()
    if selo.eventos != segmento.tamanho:
        falhas.append(
            Falha(_onde(numero), f"o selo diz {selo.eventos} eventos, o segmento tem {segmento.tamanho}")
        )
    if selo.raiz != raiz:
        falhas.append(
            Falha(_onde(numero), "a raiz Merkle dos eventos não confere com o selo: evento alterado")
        )
    if selo.cabeca != cabeca_segmento(cabecalho, eventos=selo.eventos, raiz=selo.raiz):
        falhas.append(Falha(_onde(numero), "a cabeça do selo não confere com o cabeçalho e a raiz"))
    estado.cabeca = selo.cabeca


def _verificar_cabecalho(numero: int, cabecalho: Cabecalho, estado: _Estado, falhas: list[Falha]) -> None:
    if cabecalho.numero != numero:
        falhas.append(
            Falha(
                _onde(numero),
                f"o cabeçalho diz segmento {cabecalho.numero}: segmentos trocados ou renomeados",
            )
        )
    if cabecalho.anterior != estado.cabeca:
        falhas.append(Falha(_onde(numero), "não encadeia com o segmento anterior (cabeça anterior difere)"))
    if cabecalho.primeiro_indice != estado.global_.tamanho:
        falhas.append(
            Falha(
                _onde(numero),
                f"o cabeçalho começa no índice {cabecalho.primeiro_indice}, "
                f"os segmentos anteriores têm {estado.global_.tamanho} eventos",
            )
        )
    elif cabecalho.fronteira != estado.global_.hashes:
        motivo = "a fronteira do log gravada no cabeçalho difere da calculada: um evento anterior mudou"
        falhas.append(Falha(_onde(numero), motivo))


def _verificar_evento(
    corpo: bytes, indice_esperado: int, estado: _Estado, falhas: list[Falha], onde: str
) -> None:
    try:
        evento = decodificar_evento(corpo)
    except ValueError as exc:
        falhas.append(Falha(onde, str(exc)))
        return
    if evento.indice != indice_esperado:
        if evento.indice < indice_esperado:
            motivo = "evento repetido, inserido ou fora de ordem"
        else:
            motivo = "falta evento antes deste (removido) ou fora de ordem"
        falhas.append(Falha(onde, f"traz o índice {evento.indice}: {motivo}"))
    chave = (evento.topico, evento.particao)
    anterior = estado.offsets.get(chave)
    if anterior is not None and evento.offset <= anterior:
        falhas.append(
            Falha(
                onde,
                f"offset {evento.offset} da partição {evento.particao} depois do offset {anterior}: "
                "evento repetido ou fora de ordem",
            )
        )
    estado.offsets[chave] = max(evento.offset, anterior if anterior is not None else -1)


def _conferir_checkpoint(
    estado: _Estado, checkpoints: dict[int, Checkpoint], falhas: list[Falha], onde: str
) -> None:
    checkpoint = checkpoints.get(estado.global_.tamanho)
    if checkpoint is not None and checkpoint.raiz != estado.global_.raiz():
        falhas.append(
            Falha(
                f"checkpoint {checkpoint.tamanho}",
                f"a raiz assinada não confere com os eventos 0 a {checkpoint.tamanho - 1} (último: {onde})",
            )
        )
