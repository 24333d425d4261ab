"""Writers of replay rows: JSON Lines, CSV, Parquet (row groups) and Avro object container files.

Each writer takes rows one at a time and holds at most one batch, so memory stays flat whatever
the topic's size. Columns come from the record's current Avro schema (plus the four `kafka_`
columns): nested records, arrays and maps are JSON text in CSV and Parquet; bytes are base64 in
JSON Lines and CSV.
"""

from __future__ import annotations

__all__ = ["CAMPOS_KAFKA", "Escritor", "FORMATOS", "abrir_escritor", "esquema_avro_da_saida", "para_json"]

import base64
import csv
import json
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
    """Takes rows one at a time; `fechar` flushes what is left."""

    def escrever(self, linha: dict[str, Any]) -> None: ...
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


def _tipo_arrow(tipo: Any) -> tuple[pa.DataType, bool]:
    """(Arrow type, whether the column is JSON text) of an Avro field type."""
    import pyarrow as pa

    if isinstance(tipo, list):
        outros = [t for t in tipo if t != "null"]
        return _tipo_arrow(outros[0]) if len(outros) == 1 else (pa.string(), True)
    if isinstance(tipo, dict):
        logico = tipo.get("logicalType")
        if logico == "timestamp-millis":
            return pa.timestamp("ms", tz="UTC"), False
        if logico == "timestamp-micros":
            return pa.timestamp("us", tz="UTC"), False
        if tipo.get("type") == "enum":
            return pa.string(), False
        if tipo.get("type") in ("record", "array", "map"):
            return pa.string(), True
        return _tipo_arrow(tipo.get("type"))
    simples = {
        "string": pa.string(),
        "int": pa.int32(),
        "long": pa.int64(),
        "boolean": pa.bool_(),
        "float": pa.float32(),
        "double": pa.float64(),
        "bytes": pa.binary(),
    }
    return simples.get(tipo, pa.string()), tipo not in simples


def _bytes_em_base64(valor: Any) -> Any:
    if isinstance(valor, bytes):
        return base64.b64encode(valor).decode()
    raise TypeError(f"{type(valor).__name__} não é serializável em JSON")


class _JsonLines:
    # orjson writes instants as RFC 3339, as para_json does; json.dumps would cost as much as decoding.
    def __init__(self, saida: IO[bytes]) -> None:
        self._saida = saida

    def escrever(self, linha: dict[str, Any]) -> None:
        self._saida.write(
            orjson.dumps(
                linha, default=_bytes_em_base64, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
            )
        )

    def fechar(self) -> None:
        self._saida.flush()


class _Csv:
    def __init__(self, saida: IO[str], esquema: dict[str, Any]) -> None:
        self._saida = saida
        self._nomes = [c["name"] for c in _colunas(esquema)]
        self._escritor = csv.writer(saida)
        self._escritor.writerow(self._nomes)

    def escrever(self, linha: dict[str, Any]) -> None:
        self._escritor.writerow([self._celula(linha.get(nome)) for nome in self._nomes])

    @staticmethod
    def _celula(valor: Any) -> Any:
        if valor is None:
            return ""
        if isinstance(valor, dict | list):
            return json.dumps(para_json(valor), ensure_ascii=False)
        return para_json(valor)

    def fechar(self) -> None:
        self._saida.flush()


class _Parquet:
    def __init__(self, caminho: Path, esquema: dict[str, Any]) -> None:
        import pyarrow as pa  # only here: it costs tens of MB to import
        import pyarrow.parquet as pq

        # The system allocator gives freed row groups back; pyarrow's default pool keeps them a while.
        pa.set_memory_pool(pa.system_memory_pool())
        self._pa = pa
        campos, self._json = [], set()
        for coluna in _colunas(esquema):
            tipo, como_json = _tipo_arrow(coluna["type"])
            campos.append(pa.field(coluna["name"], tipo))
            if como_json:
                self._json.add(coluna["name"])
        self._esquema = pa.schema(campos)
        self._escritor = pq.ParquetWriter(caminho, self._esquema, compression="zstd")
        self._lote: dict[str, list[Any]] = {nome: [] for nome in self._esquema.names}
        self._tamanho = 0

    def escrever(self, linha: dict[str, Any]) -> None:
        for nome, coluna in self._lote.items():
            valor = linha.get(nome)
            if nome in self._json and valor is not None:
                valor = json.dumps(para_json(valor), ensure_ascii=False)
            coluna.append(valor)
        self._tamanho += 1
        if self._tamanho >= _LOTE_PARQUET:
            self._descarregar()

    def _descarregar(self) -> None:
        if self._tamanho:
            self._escritor.write_table(self._pa.table(self._lote, schema=self._esquema))
            self._lote = {nome: [] for nome in self._esquema.names}
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

    def escrever(self, linha: dict[str, Any]) -> None:
        self._escritor.write(linha)
        self._pendentes += 1
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
