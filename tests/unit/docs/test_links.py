"""Every relative link in the project's Markdown resolves: its file exists, and so does the heading it names.

The README links the analysts' documents (docs/analise.md, docs/auditoria.md, docs/reindexacao.md,
docs/reconciliacao.md) that land with the analysts' commands: until they do, this test fails by design.
Code comments that point to a section (`docs/arquitetura.md, "The local servers"`) are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[3]
DOCUMENTOS = sorted(
    [
        RAIZ / "README.md",
        RAIZ / "CONTRIBUTING.md",
        RAIZ / "bench" / "README.md",
        *(RAIZ / "docs").glob("*.md"),
    ]
)
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_CERCA = re.compile(r"^(```|~~~)")
_CODIGO = re.compile(r"`[^`]*`")
_SECAO_NO_CODIGO = re.compile(r"(docs/[a-z_]+\.md),\s*(?:#\s*)?\"([^\"]+)\"")  # may wrap onto a comment line


def _fora_de_codigo(texto: str) -> list[str]:
    """The lines outside fenced code blocks, with inline code spans blanked."""
    linhas: list[str] = []
    dentro = False
    for linha in texto.splitlines():
        if _CERCA.match(linha.lstrip()):
            dentro = not dentro
            continue
        linhas.append("" if dentro else _CODIGO.sub("", linha))
    return linhas


def slug(titulo: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens."""
    titulo = titulo.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", titulo).replace(" ", "-")


def ancoras(documento: Path) -> set[str]:
    """Every heading anchor of a Markdown file (repeated headings get -1, -2… as on GitHub)."""
    vistas: dict[str, int] = {}
    resultado: set[str] = set()
    dentro = False
    for linha in documento.read_text(encoding="utf-8").splitlines():
        if _CERCA.match(linha.lstrip()):
            dentro = not dentro
            continue
        casamento = re.match(r"^#{1,6} (.+)$", linha)
        if dentro or casamento is None:
            continue
        base = slug(casamento[1])
        n = vistas.get(base, 0)
        vistas[base] = n + 1
        resultado.add(base if n == 0 else f"{base}-{n}")
    return resultado


def links(documento: Path) -> list[str]:
    """The link targets of a document that point inside the repository."""
    alvos = [
        m[1]
        for linha in _fora_de_codigo(documento.read_text(encoding="utf-8"))
        for m in _LINK.finditer(linha)
    ]
    return [alvo for alvo in alvos if not re.match(r"^[a-z]+:", alvo)]


def quebrado(documento: Path, alvo: str) -> str | None:
    """Why `alvo`, linked from `documento`, does not resolve; None when it does."""
    caminho, _, ancora = alvo.partition("#")
    destino = (documento.parent / caminho).resolve() if caminho else documento
    if not destino.exists():
        return "no such file"
    if ancora and destino.suffix == ".md" and ancora not in ancoras(destino):
        return f"#{ancora}: no such heading in {destino.name}"
    return None


@pytest.mark.parametrize("documento", DOCUMENTOS, ids=lambda d: str(d.relative_to(RAIZ)))
def test_every_relative_link_resolves(documento: Path) -> None:
    falhas = [f"{alvo}: {motivo}" for alvo in links(documento) if (motivo := quebrado(documento, alvo))]
    assert falhas == []


def test_code_comments_point_to_sections_that_exist() -> None:
    referencias = [
        (arquivo, doc, secao)
        for pacote in ("protocolo", "producers", "streams", "indexer", "api", "notifier", "cli", "bench")
        for arquivo in sorted((RAIZ / pacote).rglob("*.py"))
        for doc, secao in _SECAO_NO_CODIGO.findall(arquivo.read_text(encoding="utf-8"))
    ]
    assert len(referencias) >= 3  # settings.py, leitura.py and indexer/mappings.py point to the local servers
    faltando = [
        f"{arquivo.relative_to(RAIZ)}: {doc}, {secao!r}"
        for arquivo, doc, secao in referencias
        if slug(secao) not in ancoras(RAIZ / doc)
    ]
    assert faltando == []


def test_a_broken_link_or_anchor_is_reported(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# Título `com` código\n\n## Outro: (parte 2)\n", encoding="utf-8")
    documento = tmp_path / "a.md"
    documento.write_text(
        "[ok](b.md#título-com-código) [ok2](b.md#outro-parte-2) [x](c.md) [y](b.md#nada) [z](https://e.org)\n"
        "```\n[dentro](de-codigo.md)\n```\n",
        encoding="utf-8",
    )
    assert links(documento) == ["b.md#título-com-código", "b.md#outro-parte-2", "c.md", "b.md#nada"]
    assert [quebrado(documento, alvo) for alvo in links(documento)] == [
        None,
        None,
        "no such file",
        "#nada: no such heading in b.md",
    ]
