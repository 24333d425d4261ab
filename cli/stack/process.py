"""One child of the local stack (a server or a service): launched with its log and environment, awaited
until it is ready, and tied to the parent so that none outlives `protocolo up`."""

from __future__ import annotations

__all__ = ["ChildProcess", "esperar", "http_ok", "lancar"]

import ctypes
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from protocolo.errors import StackError


@dataclass
class ChildProcess:
    """A running child: its name in the stack (kafka, search, smtp or a service), its Popen and its log."""

    nome: str
    popen: subprocess.Popen[bytes]
    log: Path


def _morrer_com_o_pai() -> None:
    """In the child: receive SIGTERM when the parent dies, so no orphan outlives `protocolo up`."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setpgrp()  # Ctrl-C in the terminal reaches `up`, which stops the children in order


def lancar(nome: str, argv: list[str], *, pasta_logs: Path, env: Mapping[str, str]) -> ChildProcess:
    """Start `argv` with stdout and stderr appended to `<pasta_logs>/<nome>.log`."""
    log = pasta_logs / f"{nome}.log"
    with log.open("ab") as saida:
        popen = subprocess.Popen(
            argv,
            stdout=saida,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            preexec_fn=_morrer_com_o_pai,
        )
    return ChildProcess(nome, popen, log)


def esperar(
    child: ChildProcess,
    pronto: Callable[[], bool],
    papel: str,
    *,
    avisar: Callable[[str], None],
    prazo_s: float = 30,
) -> None:
    """Poll `pronto` until it holds; StackError if the child exits first or `prazo_s` runs out."""
    limite = time.monotonic() + prazo_s
    while time.monotonic() < limite:
        if child.popen.poll() is not None:
            # Tansu exits 0 at once when its port is taken: never trust a port without a live process.
            raise StackError(
                f"{papel} terminou ao iniciar (status {child.popen.returncode}); veja {child.log}"
            )
        if pronto():
            avisar(f"pronto: {papel}")
            return
        time.sleep(0.1)
    raise StackError(f"{papel}: não ficou pronto em {prazo_s:.0f} s; veja {child.log}")


def http_ok(url: str) -> bool:
    """Whether `url` answers 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as resposta:
            return bool(resposta.status == 200)
    except (urllib.error.URLError, OSError):
        return False
