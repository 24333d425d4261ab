"""The archive's segment files: framed records, raw events as leaf bytes, segment heads (pure).

A segment file is a sequence of records, each framed as

    u32 length (of kind + body) | u8 kind | body | u32 CRC-32 of kind + body     (big-endian)

The first record is the header (kind `H`, JSON), then one record per event (kind `E`), then, once the
segment is full, the seal (kind `S`, JSON). An event's body is its leaf in the RFC 6962 tree:

    u8 version (1) | u64 global index | u16 topic length | topic (UTF-8) | u32 partition | u64 offset
    | i64 timestamp (ms) | i32 key length (-1: none) | key | i32 value length (-1: none) | value

The key and value are the bytes Kafka delivered, untouched. A segment's head chains it to the one
before: SHA-256(0x02 || previous head || u64 number || u64 first index || u64 events || segment root).
"""

from __future__ import annotations

__all__ = [
    "CABECA_ZERO",
    "Cabecalho",
    "Evento",
    "Leitura",
    "Registro",
    "Selo",
    "cabeca_segmento",
    "codificar_evento",
    "decodificar_evento",
    "ler_registros",
    "nome_segmento",
    "registro",
]

import hashlib
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

HEADER = b"H"
EVENTO = b"E"
SELO = b"S"
CABECA_ZERO = bytes(32)
_MOLDURA = struct.Struct(">I")
_FIXO = struct.Struct(">BQH")
_COORDENADAS = struct.Struct(">IQq")
_TAMANHO = struct.Struct(">i")
_CABECA = struct.Struct(">QQQ")
_MAX_REGISTRO = 256 * 1024 * 1024


def nome_segmento(numero: int) -> str:
    """The file name of segment `numero`."""
    return f"{numero:08d}.seg"


@dataclass(frozen=True)
class Evento:
    """One archived raw event: its global index in the log and the message as Kafka delivered it."""

    indice: int
    topico: str
    particao: int
    offset: int
    carimbo_ms: int
    chave: bytes | None
    valor: bytes | None


def _bytes_opcionais(dados: bytes | None) -> bytes:
    if dados is None:
        return _TAMANHO.pack(-1)
    return _TAMANHO.pack(len(dados)) + dados


def codificar_evento(evento: Evento) -> bytes:
    """The event's leaf bytes (the body of its record)."""
    topico = evento.topico.encode()
    return b"".join(
        (
            _FIXO.pack(1, evento.indice, len(topico)),
            topico,
            _COORDENADAS.pack(evento.particao, evento.offset, evento.carimbo_ms),
            _bytes_opcionais(evento.chave),
            _bytes_opcionais(evento.valor),
        )
    )


def decodificar_evento(dados: bytes) -> Evento:
    """The event in these leaf bytes; raises ValueError if they are not one."""
    try:
        versao, indice, tam_topico = _FIXO.unpack_from(dados, 0)
        if versao != 1:
            raise ValueError(f"versão de evento desconhecida: {versao}")
        pos = _FIXO.size
        topico = dados[pos : pos + tam_topico].decode()
        pos += tam_topico
        particao, offset, carimbo = _COORDENADAS.unpack_from(dados, pos)
        pos += _COORDENADAS.size
        opcionais: list[bytes | None] = []
        for _ in range(2):
            (tamanho,) = _TAMANHO.unpack_from(dados, pos)
            pos += _TAMANHO.size
            if tamanho < 0:
                opcionais.append(None)
                continue
            if pos + tamanho > len(dados):
                raise ValueError("evento truncado")
            opcionais.append(dados[pos : pos + tamanho])
            pos += tamanho
    except (struct.error, UnicodeDecodeError) as exc:
        raise ValueError(f"evento malformado: {exc}") from exc
    if pos != len(dados):
        raise ValueError("bytes sobrando depois do evento")
    return Evento(indice, topico, particao, offset, carimbo, opcionais[0], opcionais[1])


@dataclass(frozen=True)
class Cabecalho:
    """What a segment starts from: where it sits in the log and where the consumer resumes."""

    numero: int
    topico: str
    primeiro_indice: int
    anterior: bytes
    fronteira: list[bytes]
    proximos: dict[int, int] = field(default_factory=dict)

    def corpo(self) -> bytes:
        return json.dumps(
            {
                "formato": "protocolo-arquivo/1",
                "segmento": self.numero,
                "topico": self.topico,
                "primeiro_indice": self.primeiro_indice,
                "anterior": self.anterior.hex(),
                "fronteira": [h.hex() for h in self.fronteira],
                "proximos": {str(p): o for p, o in sorted(self.proximos.items())},
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def de(cls, corpo: bytes) -> Cabecalho:
        d = _json(corpo, "cabeçalho")
        try:
            return cls(
                numero=int(d["segmento"]),
                topico=str(d["topico"]),
                primeiro_indice=int(d["primeiro_indice"]),
                anterior=bytes.fromhex(d["anterior"]),
                fronteira=[bytes.fromhex(h) for h in d["fronteira"]],
                proximos={int(p): int(o) for p, o in d["proximos"].items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"cabeçalho malformado: {exc}") from exc


@dataclass(frozen=True)
class Selo:
    """What closes a full segment: its event count, its Merkle root and its chained head."""

    eventos: int
    raiz: bytes
    cabeca: bytes

    def corpo(self) -> bytes:
        return json.dumps(
            {"eventos": self.eventos, "raiz": self.raiz.hex(), "cabeca": self.cabeca.hex()}, sort_keys=True
        ).encode()

    @classmethod
    def de(cls, corpo: bytes) -> Selo:
        d = _json(corpo, "selo")
        try:
            return cls(int(d["eventos"]), bytes.fromhex(d["raiz"]), bytes.fromhex(d["cabeca"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"selo malformado: {exc}") from exc


def _json(corpo: bytes, o_que: str) -> dict[str, Any]:
    try:
        d = json.loads(corpo)
    except ValueError as exc:
        raise ValueError(f"{o_que} não é JSON: {exc}") from exc
    if not isinstance(d, dict):
        raise ValueError(f"{o_que} não é um objeto JSON")
    return d


def cabeca_segmento(cabecalho: Cabecalho, *, eventos: int, raiz: bytes) -> bytes:
    """The segment's head, chained to the previous one's."""
    dados = _CABECA.pack(cabecalho.numero, cabecalho.primeiro_indice, eventos)
    return hashlib.sha256(b"\x02" + cabecalho.anterior + dados + raiz).digest()


def registro(tipo: bytes, corpo: bytes) -> bytes:
    """One framed record."""
    conteudo = tipo + corpo
    return _MOLDURA.pack(len(conteudo)) + conteudo + _MOLDURA.pack(zlib.crc32(conteudo))


@dataclass(frozen=True)
class Registro:
    """One record read back: where it starts in the file, its kind and body, and whether its CRC holds."""

    posicao: int
    tipo: bytes
    corpo: bytes
    integro: bool


@dataclass
class Leitura:
    """How a segment file ended: `fim` is the end of its last whole record, `resto` the bytes after it."""

    fim: int = 0
    resto: int = 0


def ler_registros(arquivo: BinaryIO, leitura: Leitura | None = None) -> Iterator[Registro]:
    """The records of a segment file, in order; stops at a record cut short (a torn write).

    A record whose CRC fails is yielded with `integro=False` (its frame is whole). `leitura`, if
    given, is filled with where the whole records end and how many bytes follow them.
    """
    estado = leitura if leitura is not None else Leitura()
    posicao = 0
    while True:
        moldura = arquivo.read(_MOLDURA.size)
        if len(moldura) < _MOLDURA.size:
            estado.fim, estado.resto = posicao, len(moldura)
            return
        (tamanho,) = _MOLDURA.unpack(moldura)
        conteudo = arquivo.read(tamanho) if 0 < tamanho <= _MAX_REGISTRO else b""
        crc = arquivo.read(_MOLDURA.size)
        if not conteudo or len(conteudo) < tamanho or len(crc) < _MOLDURA.size:
            resto = len(moldura) + len(conteudo) + len(crc) + len(arquivo.read())
            estado.fim, estado.resto = posicao, resto
            return
        integro = _MOLDURA.unpack(crc)[0] == zlib.crc32(conteudo)
        yield Registro(posicao, conteudo[:1], conteudo[1:], integro)
        posicao += _MOLDURA.size * 2 + tamanho
        estado.fim = posicao
