"""Reference data: órgãos and their unidades, read from JSON (a sample ships with the package). Pure."""

from __future__ import annotations

__all__ = ["Orgao", "Referencia", "UnidadeRef", "carregar_referencia"]

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PADRAO = Path(__file__).with_name("data") / "orgaos.json"
_VERSAO = 1


@dataclass(frozen=True)
class UnidadeRef:
    """A unidade as the reference data lists it; `superior` is the codigo of its parent unidade."""

    codigo: str
    sigla: str
    nome: str
    superior: str | None = None


@dataclass(frozen=True)
class Orgao:
    """An órgão with its unidades, in file order."""

    codigo: str
    sigla: str
    nome: str
    unidades: tuple[UnidadeRef, ...]


class Referencia:
    """Lookup of órgãos and unidades by codigo."""

    def __init__(self, orgaos: tuple[Orgao, ...]) -> None:
        self._orgaos = {o.codigo: o for o in orgaos}
        self._unidades = {(o.codigo, u.codigo): u for o in orgaos for u in o.unidades}
        por_codigo: dict[str, list[UnidadeRef]] = {}
        for o in orgaos:
            for u in o.unidades:
                por_codigo.setdefault(u.codigo, []).append(u)
        self._sem_ambiguidade = {c: us[0] for c, us in por_codigo.items() if len(us) == 1}

    @property
    def orgaos(self) -> tuple[Orgao, ...]:
        """Every órgão, in file order."""
        return tuple(self._orgaos.values())

    def orgao(self, codigo: str) -> Orgao | None:
        """The órgão with this codigo, if any."""
        return self._orgaos.get(codigo)

    def unidade(self, orgao_codigo: str, unidade_codigo: str) -> UnidadeRef | None:
        """The unidade `unidade_codigo` of órgão `orgao_codigo`, if any."""
        return self._unidades.get((orgao_codigo, unidade_codigo))

    def unidade_de_qualquer_orgao(self, unidade_codigo: str) -> UnidadeRef | None:
        """The unidade with this codigo when exactly one órgão has it (a remessa to another órgão)."""
        return self._sem_ambiguidade.get(unidade_codigo)


def carregar_referencia(caminho: Path | None = None) -> Referencia:
    """Read reference data (the packaged sample by default); ValueError names the file and the bad field."""
    arquivo = caminho or _PADRAO
    try:
        dados = json.loads(arquivo.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{arquivo}: não foi possível ler os dados de referência: {exc}") from exc
    parser = _ReferenciaParser(arquivo)
    if parser.objeto(dados, "").get("versao") != _VERSAO:
        raise parser.falha("versao", f"deve ser {_VERSAO} (a única versão do formato que este código lê)")
    lista = parser.lista(dados, "orgaos", "")
    return Referencia(tuple(parser.orgao(item, f"orgaos[{i}]") for i, item in enumerate(lista)))


class _ReferenciaParser:
    """Reads one reference file, failing with the path of the offending field."""

    def __init__(self, arquivo: Path) -> None:
        self.arquivo = arquivo
        self.orgaos_vistos: set[str] = set()

    def falha(self, campo: str, motivo: str) -> ValueError:
        return ValueError(f"{self.arquivo}: campo '{campo}' {motivo}")

    def objeto(self, bruto: Any, campo: str) -> Mapping[str, Any]:
        if not isinstance(bruto, Mapping):
            raise self.falha(campo or "(raiz)", "deve ser um objeto JSON")
        return bruto

    def lista(self, pai: Any, nome: str, prefixo: str) -> list[Any]:
        campo = f"{prefixo}.{nome}" if prefixo else nome
        valor = self.objeto(pai, prefixo).get(nome)
        if not isinstance(valor, list) or not valor:
            raise self.falha(campo, "deve ser uma lista não vazia")
        return valor

    def texto(
        self, pai: Mapping[str, Any], nome: str, prefixo: str, *, obrigatorio: bool = True
    ) -> str | None:
        valor = pai.get(nome)
        if valor is None and not obrigatorio:
            return None
        if not isinstance(valor, str) or not valor.strip():
            raise self.falha(f"{prefixo}.{nome}", "ausente ou não é um texto preenchido")
        return valor.strip()

    def orgao(self, bruto: Any, prefixo: str) -> Orgao:
        item = self.objeto(bruto, prefixo)
        codigo, sigla, nome = (self.texto(item, c, prefixo) or "" for c in ("codigo", "sigla", "nome"))
        if codigo in self.orgaos_vistos:
            raise self.falha(f"{prefixo}.codigo", f"repete o código de órgão '{codigo}'")
        self.orgaos_vistos.add(codigo)
        unidades: dict[str, UnidadeRef] = {}
        for i, sub in enumerate(self.lista(item, "unidades", prefixo)):
            campo = f"{prefixo}.unidades[{i}]"
            dados = self.objeto(sub, campo)
            un_codigo, un_sigla, un_nome = (
                self.texto(dados, c, campo) or "" for c in ("codigo", "sigla", "nome")
            )
            if un_codigo in unidades:
                raise self.falha(f"{campo}.codigo", f"repete o código de unidade '{un_codigo}'")
            superior = self.texto(dados, "superior", campo, obrigatorio=False)
            unidades[un_codigo] = UnidadeRef(un_codigo, un_sigla, un_nome, superior)
        for i, unidade in enumerate(unidades.values()):
            if unidade.superior is not None and unidade.superior not in unidades:
                campo = f"{prefixo}.unidades[{i}].superior"
                raise self.falha(
                    campo, f"aponta para a unidade '{unidade.superior}', que não existe no órgão"
                )
        return Orgao(codigo, sigla, nome, tuple(unidades.values()))
