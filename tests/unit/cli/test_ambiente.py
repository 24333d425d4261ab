"""The local stack's settings for commands run beside it (cli/ambiente.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli.ambiente import ARQUIVO, carregar_ambiente, escrever_ambiente, remover_ambiente

ENV = {
    "PROTOCOLO_SEARCH_URL": "http://127.0.0.1:19200",
    "PROTOCOLO_SEARCH_SERVER_MODE": "serverless",
    "PROTOCOLO_SECRET_KEY": "nunca no arquivo",
}


def test_a_running_stack_s_settings_fill_what_the_environment_lacks(tmp_path: Path) -> None:
    caminho = escrever_ambiente(tmp_path, ENV, pid=os.getpid())
    assert "SECRET" not in caminho.read_text(encoding="utf-8")
    environ = {"PROTOCOLO_SEARCH_URL": "http://busca:9200"}

    postos = carregar_ambiente(tmp_path, environ)

    assert postos == ["PROTOCOLO_SEARCH_SERVER_MODE"]
    assert environ == {
        "PROTOCOLO_SEARCH_URL": "http://busca:9200",  # the environment wins
        "PROTOCOLO_SEARCH_SERVER_MODE": "serverless",
    }


def test_a_stopped_or_vanished_stack_leaves_the_environment_alone(tmp_path: Path) -> None:
    morto = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    escrever_ambiente(tmp_path, ENV, pid=int(morto.stdout))
    environ: dict[str, str] = {}
    assert carregar_ambiente(tmp_path, environ) == [] and environ == {}

    escrever_ambiente(tmp_path, ENV, pid=os.getpid())
    remover_ambiente(tmp_path)
    assert not (tmp_path / ARQUIVO).exists()
    assert carregar_ambiente(tmp_path, environ) == [] and environ == {}
