"""The archive's files without Kafka: event codec, resume with no gap or duplicate, torn-tail repair."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archiver.arquivo import Arquivo
from archiver.nota import gerar_assinante
from archiver.pasta import listar_checkpoints, listar_segmentos
from archiver.provas import ler_folhas
from archiver.segmento import Evento, codificar_evento, decodificar_evento
from archiver.verificacao import verificar_arquivo
from protocolo.entrada import Entrada

ORIGEM = "teste/arquivo"


@given(
    st.builds(
        Evento,
        indice=st.integers(0, 2**63),
        topico=st.text(max_size=30),
        particao=st.integers(0, 2**31),
        offset=st.integers(0, 2**63),
        carimbo_ms=st.integers(-(2**62), 2**62),
        chave=st.none() | st.binary(max_size=40),
        valor=st.none() | st.binary(max_size=200),
    )
)
def test_events_round_trip_through_their_leaf_bytes(evento: Evento) -> None:
    assert decodificar_evento(codificar_evento(evento)) == evento


def _mensagens(inicio: int, fim: int, particoes: int = 3) -> list[Entrada]:
    return [
        Entrada(
            "t.eventos", i % particoes, i // particoes, f"{i % 7}".encode(), b"v%d" % i, 1_700_000_000 + i
        )
        for i in range(inicio, fim)
    ]


def _abrir(pasta: Path) -> Arquivo:
    return Arquivo(pasta, topico="t.eventos", eventos_por_segmento=10)


def test_a_reopened_archive_goes_on_with_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    assinante = gerar_assinante(ORIGEM)
    arquivo = _abrir(tmp_path)
    arquivo.anexar(_mensagens(0, 25))
    arquivo.checkpoint(assinante, origem=ORIGEM)
    arquivo.fechar()
    arquivo = _abrir(tmp_path)
    assert arquivo.tamanho == 25
    assert arquivo.proximos == {0: 9, 1: 8, 2: 8}
    arquivo.anexar(_mensagens(20, 41))  # 20-24 delivered again after the restart
    arquivo.checkpoint(assinante, origem=ORIGEM)
    arquivo.fechar()
    _folhas, eventos = ler_folhas(tmp_path, escolher=lambda _e: True)
    assert [e.valor for e, _ in eventos] == [b"v%d" % i for i in range(41)]
    assert [e.indice for e, _ in eventos] == list(range(41))
    assert [n for n, _ in listar_segmentos(tmp_path)[0]] == [0, 1, 2, 3, 4]
    assert [t for t, _ in listar_checkpoints(tmp_path)] == [25, 41]
    relatorio = verificar_arquivo(tmp_path, assinante.verificador)
    assert relatorio.ok, relatorio.falhas
    assert relatorio.eventos == 41


def test_a_torn_last_record_is_cut_off_on_reopen(tmp_path: Path) -> None:
    assinante = gerar_assinante(ORIGEM)
    arquivo = _abrir(tmp_path)
    arquivo.anexar(_mensagens(0, 15))
    arquivo.checkpoint(assinante, origem=ORIGEM)
    arquivo.fechar()
    ultimo = listar_segmentos(tmp_path)[0][-1][1]
    with open(ultimo, "ab") as f:
        f.write(b"\x00\x00\x01\x00Evento pela metade")
    assert verificar_arquivo(tmp_path, assinante.verificador).avisos
    arquivo = _abrir(tmp_path)
    assert arquivo.tamanho == 15
    arquivo.anexar(_mensagens(15, 18))
    arquivo.checkpoint(assinante, origem=ORIGEM)
    arquivo.fechar()
    relatorio = verificar_arquivo(tmp_path, assinante.verificador)
    assert relatorio.ok, relatorio.falhas
    assert relatorio.eventos == 18


def test_an_archive_without_checkpoints_does_not_verify(tmp_path: Path) -> None:
    arquivo = _abrir(tmp_path)
    arquivo.anexar(_mensagens(0, 3))
    arquivo.fechar()
    relatorio = verificar_arquivo(tmp_path, gerar_assinante(ORIGEM).verificador)
    assert [f.onde for f in relatorio.falhas] == ["checkpoints"]
