"""Avro schema catalogue and single-object encoding (C3 01 + CRC-64-AVRO fingerprint + body).

Every message names its exact writer schema, so a replay years later resolves it from the
catalogue and reads it into the current reader schema (fastavro schema resolution).
Schema files are `schemas/avro/<nome>.v<N>.avsc`; the highest N is the current writer schema.
"""

from __future__ import annotations

__all__ = ["MAGIC", "Catalogo", "SCHEMAS_DIR", "catalogo_padrao"]

import io
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import fastavro
from fastavro.read import SchemaResolutionError
from fastavro.schema import fingerprint, to_parsing_canonical_form

from protocolo.errors import CorruptMessage, UnknownSchema

MAGIC = b"\xc3\x01"
SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas" / "avro"
_ARQUIVO = re.compile(r"^(?P<nome>[a-z_]+)\.v(?P<versao>\d+)\.avsc$")


@dataclass(frozen=True)
class _Esquema:
    nome: str
    versao: int
    parsed: Any
    impressao: bytes  # the 8-byte fingerprint as it appears on the wire


class Catalogo:
    """Every known schema version, addressable by name (current) and by wire fingerprint (any)."""

    def __init__(self, pasta: Path = SCHEMAS_DIR) -> None:
        self._atual: dict[str, _Esquema] = {}
        self._por_impressao: dict[bytes, _Esquema] = {}
        for arquivo in sorted(pasta.glob("*.avsc")):
            casamento = _ARQUIVO.match(arquivo.name)
            if casamento is None:
                raise ValueError(f"{arquivo}: schema files are named <nome>.v<N>.avsc")
            bruto = json.loads(arquivo.read_text(encoding="utf-8"))
            parsed = fastavro.parse_schema(bruto, _force=True)
            impressao = bytes.fromhex(fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO"))
            esquema = _Esquema(casamento["nome"], int(casamento["versao"]), parsed, impressao)
            self._por_impressao[impressao] = esquema
            atual = self._atual.get(esquema.nome)
            if atual is None or atual.versao < esquema.versao:
                self._atual[esquema.nome] = esquema
        if not self._atual:
            raise ValueError(f"no Avro schema found in {pasta}")

    def nomes(self) -> list[str]:
        """Names of the records in the catalogue."""
        return sorted(self._atual)

    def versoes(self, nome: str) -> list[Any]:
        """Every parsed version of one record, oldest first."""
        return [
            e.parsed for e in sorted(self._por_impressao.values(), key=lambda e: e.versao) if e.nome == nome
        ]

    def esquema(self, nome: str) -> Any:
        """The current parsed schema of `nome` (KeyError when the catalogue has no such record)."""
        return self._atual[nome].parsed

    def nome_escritor(self, dados: bytes) -> str | None:
        """The record name a single-object message's fingerprint names, or None when unknown."""
        escritor = self._por_impressao.get(dados[2:10]) if dados[:2] == MAGIC else None
        return escritor.nome if escritor is not None else None

    def encode(self, nome: str, registro: dict[str, Any]) -> bytes:
        """Single-object encoding of `registro` with the current schema of `nome`."""
        esquema = self._atual[nome]
        saida = io.BytesIO()
        saida.write(MAGIC)
        saida.write(esquema.impressao)
        fastavro.schemaless_writer(saida, esquema.parsed, registro)
        return saida.getvalue()

    def escrito_com_atual(self, nome: str, dados: bytes) -> bool:
        """Whether `dados` names the current schema of `nome` as its writer."""
        return dados[:2] == MAGIC and dados[2:10] == self._atual[nome].impressao

    def decode(self, nome: str, dados: bytes) -> dict[str, Any]:
        """Read a single-object message into the current schema of `nome`, whatever version wrote it."""
        if len(dados) < 10 or dados[:2] != MAGIC:
            raise CorruptMessage(
                "a mensagem não está em Avro single-object encoding (cabeçalho C3 01 ausente)"
            )
        escritor = self._por_impressao.get(dados[2:10])
        if escritor is None:
            raise UnknownSchema(f"esquema Avro desconhecido (impressão digital {dados[2:10].hex()})")
        leitor = self._atual[nome]
        if escritor.nome != nome:
            raise UnknownSchema(f"a mensagem é um {escritor.nome} v{escritor.versao}, esperado {nome}")
        corpo = io.BytesIO(dados[10:])
        try:
            # No resolution when the writer is the current version: the common case, and much faster.
            leitura = None if escritor is leitor else leitor.parsed
            registro = fastavro.schemaless_reader(corpo, escritor.parsed, leitura)
        except SchemaResolutionError as exc:
            raise UnknownSchema(
                f"{nome} v{escritor.versao} não pode ser lido como v{leitor.versao}: {exc}"
            ) from exc
        except (EOFError, ValueError, IndexError, UnicodeDecodeError, TypeError, OverflowError) as exc:
            # OverflowError: a timestamp outside what a datetime can hold.
            raise CorruptMessage(f"corpo Avro ilegível: {exc}") from exc
        if not isinstance(registro, dict):
            raise CorruptMessage("corpo Avro não é um registro")
        if corpo.tell() != len(dados) - 10:
            raise CorruptMessage(f"{len(dados) - 10 - corpo.tell()} bytes sobrando depois do registro Avro")
        return registro


@cache
def catalogo_padrao() -> Catalogo:
    """The catalogue of the project's own schemas, loaded once."""
    return Catalogo()
