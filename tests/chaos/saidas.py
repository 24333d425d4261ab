"""Read what the streams wrote (snapshots, DLQ) and compare it with the simulator's oracle."""

from __future__ import annotations

__all__ = ["Trabalhador", "diferencas_snapshots", "ler_topico", "metricas"]

import os
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.stack import porta_livre
from protocolo.avro import catalogo_padrao
from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import Settings
from tests.oraculo import diferencas_estado


def ler_topico(settings: Settings, topico: str, esquema: str) -> list[dict[str, Any]]:
    """Every record of `topico`, decoded, read to the end of each partition (no group join)."""
    catalogo = catalogo_padrao()
    return [catalogo.decode(esquema, m.value() or b"") for m in ler_ate_o_fim(settings.kafka, topico)]


def diferencas_snapshots(settings: Settings, oraculo: dict[str, Any]) -> list[str]:
    """How the newest snapshot of each processo differs from the oracle (empty when equal).

    A non-public processo must end as a bare removal order with the oracle's versao.
    """
    ultimos: dict[str, dict[str, Any]] = {}
    for snapshot in ler_topico(settings, settings.kafka.topics.processos, "processo"):
        atual = ultimos.get(snapshot["nup"])
        if atual is None or snapshot["versao"] >= atual["versao"]:
            ultimos[snapshot["nup"]] = snapshot
    esperados = oraculo["processos"]
    problemas = [f"{n}: sem snapshot" for n in sorted(set(esperados) - set(ultimos))]
    problemas += [f"{n}: snapshot inesperado" for n in sorted(set(ultimos) - set(esperados))]
    for nup in sorted(set(esperados) & set(ultimos)):
        esperado, obtido = esperados[nup], ultimos[nup]
        if esperado["nivel_acesso"] != "PUBLICO":
            if obtido["publico"] or obtido["versao"] != esperado["versao"]:
                problemas.append(f"{nup}: devia ser ordem de remoção versao {esperado['versao']}: {obtido}")
            continue
        problemas += diferencas_estado(nup, esperado, obtido)
    return problemas


def metricas(porta: int) -> dict[str, float]:
    """A worker's Prometheus samples, `name{labels}` -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{porta}/metrics", timeout=5) as resposta:
        texto = resposta.read().decode()
    amostras: dict[str, float] = {}
    for linha in texto.splitlines():
        if linha and not linha.startswith("#"):
            nome, valor = linha.rsplit(" ", 1)
            amostras[nome] = float(valor)
    return amostras


@dataclass
class Trabalhador:
    """One real `python -m streams` worker process with its own readiness file and metrics port."""

    settings: Settings
    nome: str
    porta_metricas: int = 0
    popen: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.porta_metricas = self.porta_metricas or porta_livre()

    @property
    def log(self) -> Path:
        return self.settings.state_dir / f"{self.nome}.log"

    @property
    def pronto(self) -> Path:
        return self.settings.readiness_file(self.nome)

    def iniciar(self) -> None:
        self.pronto.unlink(missing_ok=True)
        env = {
            **os.environ,
            **self.settings.to_env(),
            "PROTOCOLO_STREAMS_NOME": self.nome,
            "PROTOCOLO_STREAMS_METRICS_PORT": str(self.porta_metricas),
            # Rebalances and recovery in the log: when a restarted worker stalls, the log says where.
            "PROTOCOLO_STREAMS_FAUST_LOGLEVEL": "INFO",
        }
        with self.log.open("ab") as saida:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "streams"], env=env, stdout=saida, stderr=subprocess.STDOUT
            )

    def vivo(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def matar(self) -> None:
        """SIGKILL: no shutdown hook runs, no offset is committed, buffered sends are lost."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def parar(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
