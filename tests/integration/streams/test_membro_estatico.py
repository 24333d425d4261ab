"""Static group membership (PROTOCOLO_STREAMS_INSTANCIA) on the real broker: a worker killed and started
again under its instance id takes its own place in the group and goes on folding."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable

from protocolo.avro import catalogo_padrao
from protocolo.registros import evento_mensagem
from protocolo.settings import Settings
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import ler_topico, produzir
from tests.fixtures.lotes import evento_de_teste
from tests.fixtures.trabalhador import Trabalhador

NUP = "23037001462202165"
MEMBRO = re.compile(r"Joined group '[^']+' \(generation \d+\) with member_id (\S+)")


def _membros(trabalhador: Trabalhador) -> list[str]:
    """The member ids the worker's log says it joined the group with, oldest first."""
    return MEMBRO.findall(trabalhador.log.read_text(errors="replace"))


def _versoes(settings: Settings) -> set[int]:
    """The versions of NUP's snapshots so far (a killed worker may write one again: at least once)."""
    processos = ler_topico(settings.kafka, settings.kafka.topics.processos, "processo")
    return {p["versao"] for p in processos if p["nup"] == NUP}


def test_a_static_member_killed_and_restarted_takes_its_own_place_and_goes_on(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    trabalhador = Trabalhador(settings, "estatico", instancia="{host}-{nome}")
    catalogo = catalogo_padrao()
    topico = settings.kafka.topics.eventos
    try:
        trabalhador.iniciar()
        eventually(trabalhador.pronto.exists, timeout=90, what="the worker to be ready")
        produzir(settings.kafka, topico, [evento_mensagem(catalogo, evento_de_teste(NUP, 0))])
        eventually(lambda: _versoes(settings) == {1}, timeout=60, what="the first snapshot")
        (antes,) = _membros(trabalhador)
        assert antes.startswith(f"{socket.gethostname()}-estatico-"), antes

        trabalhador.matar()
        trabalhador.iniciar()
        eventually(trabalhador.pronto.exists, timeout=90, what="the restarted worker to be ready")
        produzir(settings.kafka, topico, [evento_mensagem(catalogo, evento_de_teste(NUP, 1))])
        eventually(lambda: _versoes(settings) == {1, 2}, timeout=60, what="the next snapshot")

        # The broker handed the restarted process the killed one's member id: the same member came
        # back, so nothing waited for a dead member's session to expire.
        assert _membros(trabalhador) == [antes, antes]
        assert trabalhador.vivo()
        assert "Traceback" not in trabalhador.log.read_text(errors="replace")
    finally:
        trabalhador.parar()
