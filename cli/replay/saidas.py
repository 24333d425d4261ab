"""Writers of replay rows: JSON Lines, CSV, Parquet (row groups) and Avro object container files.

Rows are encoded a batch at a time by `codificador` (pure; it runs in the decoding workers too),
and each writer takes the encoded batches in order and holds at most one row group, so memory
stays flat whatever the topic's size. Columns come from the record's current Avro schema (plus
the four `kafka_` columns): nested records, arrays and maps are JSON text in CSV and Parquet;
bytes are base64 in JSON Lines and CSV.
"""

from __future__ import annotations

__all__ = [
    "CAMPOS_KAFKA",
    "Escritor",
    "FORMATOS",
    "abrir_escritor",
    "codificador",
    "esquema_avro_da_saida",
    "para_json",
]

import base64
import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import fastavro
import orjson

if TYPE_CHECKING:
    import pyarrow as pa

FORMATOS = ("jsonl", "csv", "parquet", "avro")
_LOTE_PARQUET = 10_000
_LOTE_AVRO = 5_000

CAMPOS_KAFKA: list[dict[str, Any]] = [
    {"name": "kafka_topico", "type": "string"},
    {"name": "kafka_particao", "type": "int"},
    {"name": "kafka_offset", "type": "long"},
    {"name": "kafka_carimbo", "type": {"type": "long", "logicalType": "timestamp-millis"}},
]


def para_json(valor: Any) -> Any:
    """A decoded Avro value as JSON: instants and days in ISO 8601, bytes in base64."""
    if isinstance(valor, date):  # datetime too (a date subclass)
        return valor.isoformat()
    if isinstance(valor, bytes):
        return base64.b64encode(valor).decode()
    if isinstance(valor, dict):
        return {k: para_json(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [para_json(v) for v in valor]
    return valor


class Escritor(Protocol):
    """Takes batches of rows encoded by `codificador`, in order; `fechar` flushes what is left."""

    def escrever_lote(self, carga: Any) -> None: ...
    def fechar(self) -> None: ...


def esquema_avro_da_saida(esquema: dict[str, Any]) -> dict[str, Any]:
    """The container file's schema: the record's current schema with the `kafka_` fields in front."""
    nome = str(esquema["name"]).rsplit(".", 1)
    return {
        "type": "record",
        "name": f"{nome[0]}.Replay{nome[-1]}" if len(nome) == 2 else f"Replay{nome[0]}",
        "doc": "A message replayed by `protocolo replay`, with the topic, partition, offset and timestamp.",
        "fields": [*CAMPOS_KAFKA, *esquema["fields"]],
    }


def _colunas(esquema: dict[str, Any]) -> list[dict[str, Any]]:
    return [*CAMPOS_KAFKA, *esquema["fields"]]


_SIMPLES = ("string", "int", "long", "boolean", "float", "double", "bytes")


def _como_json(tipo: Any) -> bool:
    """Whether a column of this Avro type is JSON text in Parquet: records, arrays, maps, unions of
    several types. Needs no pyarrow (the decoding workers use it)."""
    if isinstance(tipo, list):
        outros = [t for t in tipo if t != "null"]
        return _como_json(outros[0]) if len(outros) == 1 else True
    if isinstance(tipo, dict):
        if tipo.get("logicalType") in ("timestamp-millis", "timestamp-micros") or tipo.get("type") == "enum":
            return False
        return tipo.get("type") in ("record", "array", "map") or _como_json(tipo.get("type"))
    return tipo not in _SIMPLES


def _tipo_arrow(tipo: Any) -> pa.DataType:
    """The Arrow type of an Avro field type (string for the JSON text columns, see _como_json)."""
    import pyarrow as pa

    if _como_json(tipo):
        return pa.string()
    if isinstance(tipo, list):
        return _tipo_arrow(next(t for t in tipo if t != "null"))
    if isinstance(tipo, dict):
        logico = tipo.get("logicalType")
        if logico == "timestamp-millis":
            return pa.timestamp("ms", tz="UTC")
        if logico == "timestamp-micros":
            return pa.timestamp("us", tz="UTC")
        return pa.string() if tipo.get("type") == "enum" else _tipo_arrow(tipo.get("type"))
    simples = dict(
        zip(
            _SIMPLES,
            (pa.string(), pa.int32(), pa.int64(), pa.bool_(), pa.float32(), pa.float64(), pa.binary()),
            strict=True,
        )
    )
    return simples[tipo]


def _bytes_em_base64(valor: Any) -> Any:
    if isinstance(valor, bytes):
        return base64.b64encode(valor).decode()
    raise TypeError(f"{type(valor).__name__} não é serializável em JSON")


def _jsonl(linhas: list[dict[str, Any]]) -> bytes:
    # orjson writes instants as RFC 3339, as para_json does; json.dumps would cost as much as decoding.
    opcoes = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
    return b"".join(orjson.dumps(linha, default=_bytes_em_base64, option=opcoes) for linha in linhas)


def _celula(valor: Any) -> Any:
    if valor is None:
        return ""
    if isinstance(valor, dict | list):
        return json.dumps(para_json(valor), ensure_ascii=False)
    return para_json(valor)


class _CodificadorCsv:
    """Rows as CSV lines (no header: the writer writes it once)."""

    def __init__(self, esquema: dict[str, Any]) -> None:
        self._nomes = [c["name"] for c in _colunas(esquema)]

    def __call__(self, linhas: list[dict[str, Any]]) -> str:
        texto = io.StringIO()
        csv.writer(texto).writerows([[_celula(linha.get(n)) for n in self._nomes] for linha in linhas])
        return texto.getvalue()


class _CodificadorParquet:
    """Rows as columns (name -> values) of the Parquet schema: nested values already JSON text."""

    def __init__(self, esquema: dict[str, Any]) -> None:
        self._nomes = [c["name"] for c in _colunas(esquema)]
        self._json = {c["name"] for c in _colunas(esquema) if _como_json(c["type"])}

    def __call__(self, linhas: list[dict[str, Any]]) -> dict[str, list[Any]]:
        colunas = {}
        for nome in self._nomes:
            valores = [linha.get(nome) for linha in linhas]
            if nome in self._json:
                valores = [
                    None if v is None else json.dumps(para_json(v), ensure_ascii=False) for v in valores
                ]
            colunas[nome] = valores
        return colunas


def codificador(formato: str, esquema: dict[str, Any]) -> Callable[[list[dict[str, Any]]], Any]:
    """The encoder of `formato`'s batches: JSON Lines bytes, CSV text, Parquet columns, or the rows
    themselves for Avro (the container writer encodes them)."""
    if formato == "jsonl":
        return _jsonl
    if formato == "csv":
        return _CodificadorCsv(esquema)
    if formato == "parquet":
        return _CodificadorParquet(esquema)
    if formato == "avro":
        return list
    raise ValueError(f"formato desconhecido: {formato}")


class _JsonLines:
    def __init__(self, saida: IO[bytes]) -> None:
        self._saida = saida

    def escrever_lote(self, carga: bytes) -> None:
        self._saida.write(carga)

    def fechar(self) -> None:
        self._saida.flush()


class _Csv:
    def __init__(self, saida: IO[str], esquema: dict[str, Any]) -> None:
        self._saida = saida
        csv.writer(saida).writerow([c["name"] for c in _colunas(esquema)])

    def escrever_lote(self, carga: str) -> None:
        self._saida.write(carga)

    def fechar(self) -> None:
        self._saida.flush()


class _Parquet:
    def __init__(self, caminho: Path, esquema: dict[str, Any]) -> None:
        import pyarrow as pa  # only here: it costs tens of MB to import
        import pyarrow.parquet as pq

        # The system allocator gives freed row groups back; pyarrow's default pool keeps them a while.
        pa.set_memory_pool(pa.system_memory_pool())
        self._pa = pa
        self._esquema = pa.schema([pa.field(c["name"], _tipo_arrow(c["type"])) for c in _colunas(esquema)])
        self._escritor = pq.ParquetWriter(caminho, self._esquema, compression="zstd")
        # Each batch becomes Arrow columns at once (a fraction of the Python objects' size) until
        # a row group's worth is there.
        self._tabelas: list[pa.Table] = []
        self._tamanho = 0

    def escrever_lote(self, carga: dict[str, list[Any]]) -> None:
        tabela = self._pa.table(carga, schema=self._esquema)
        if tabela.num_rows:
            self._tabelas.append(tabela)
            self._tamanho += tabela.num_rows
        if self._tamanho >= _LOTE_PARQUET:
            self._descarregar()

    def _descarregar(self) -> None:
        if self._tamanho:
            self._escritor.write_table(self._pa.concat_tables(self._tabelas))
            self._tabelas = []
            self._tamanho = 0

    def fechar(self) -> None:
        self._descarregar()
        self._escritor.close()


class _Avro:
    def __init__(self, saida: IO[bytes], esquema: dict[str, Any]) -> None:
        self._saida = saida
        self._esquema = fastavro.parse_schema(esquema_avro_da_saida(esquema), _force=True)
        self._escritor = fastavro.write.Writer(saida, self._esquema, codec="deflate")
        self._pendentes = 0

    def escrever_lote(self, carga: list[dict[str, Any]]) -> None:
        for linha in carga:
            self._escritor.write(linha)
        self._pendentes += len(carga)
        if self._pendentes >= _LOTE_AVRO:
            self._escritor.flush()
            self._pendentes = 0

    def fechar(self) -> None:
        self._escritor.flush()
        self._saida.flush()


def abrir_escritor(
    formato: str,
    *,
    esquema: dict[str, Any],
    caminho: Path | None,
    padrao: IO[bytes] | None = None,
    padrao_texto: IO[str] | None = None,
) -> tuple[Escritor, list[IO[Any]]]:
    """A writer of `formato` to `caminho`, and the files to close.

    Without `caminho`, jsonl goes to `padrao` and csv to `padrao_texto` (stdout's two faces).
    """
    if caminho is None:
        if formato == "jsonl" and padrao is not None:
            return _JsonLines(padrao), []
        if formato == "csv" and padrao_texto is not None:
            return _Csv(padrao_texto, esquema), []
        raise ValueError(f"--formato {formato} precisa de --saida ARQUIVO")
    if formato == "csv":
        texto = open(caminho, "w", encoding="utf-8", newline="")  # noqa: SIM115
        return _Csv(texto, esquema), [texto]
    if formato == "parquet":
        return _Parquet(caminho, esquema), []
    binario = open(caminho, "wb")  # noqa: SIM115
    return (_JsonLines(binario) if formato == "jsonl" else _Avro(binario, esquema)), [binario]
