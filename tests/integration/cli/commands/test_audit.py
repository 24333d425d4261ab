"""The audit archive written by the real archiver (a child process) from the real broker.

One archive is written once per module; each tampering test copies it, changes the copy's files as
somebody covering their tracks would, and runs the real `protocolo audit verify` on it, which must
fail and say where. Proofs and consistency are checked through the real command line too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archiver.merkle import Arvore, verificar_consistencia
from archiver.pasta import listar_checkpoints, listar_segmentos
from archiver.provas import ler_folhas
from archiver.segmento import EVENTO, ler_registros, nome_segmento, registro
from cli.stack import LocalStack
from protocolo.nup import Nup, gerar_nup
from protocolo.settings import ArquivoSettings, Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir

EVENTOS = 150
POR_SEGMENTO = 40
NUPS = [gerar_nup(unidade=23037, sequencial=n, ano=2024) for n in range(1, 6)]


def _mensagens(inicio: int, fim: int) -> list[tuple[bytes | None, bytes | None]]:
    return [
        (NUPS[i % len(NUPS)].digitos.encode(), f'{{"id": "evento-{i}"}}'.encode()) for i in range(inicio, fim)
    ]


def arquivados(pasta: Path) -> int:
    """Events the archive holds now (whole records only)."""
    return len(ler_folhas(pasta)[0]) if (pasta / "segmentos").is_dir() else 0


def assinado(pasta: Path, tamanho: int) -> bool:
    """Whether a checkpoint of `tamanho` events was written."""
    return any(t == tamanho for t, _ in listar_checkpoints(pasta))


@pytest.fixture(scope="module")
def pilha(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, LocalStack]]:
    settings = settings_factory(
        arquivo=ArquivoSettings(eventos_por_segmento=POR_SEGMENTO, checkpoint_eventos=50, checkpoint_s=0.5),
    )
    stack = LocalStack(settings, servicos=("archiver",))
    stack.iniciar_servicos()
    yield settings, stack
    stack.parar()


@pytest.fixture(scope="module")
def original(pilha: tuple[Settings, LocalStack]) -> tuple[Settings, Path, str]:
    """The archive of EVENTOS raw events, every one under a checkpoint, and its public key."""
    settings, stack = pilha
    pasta = settings.pasta_arquivo()
    produzir(settings.kafka, settings.kafka.topics.eventos, _mensagens(0, EVENTOS // 2))
    eventually(lambda: arquivados(pasta) == EVENTOS // 2, what="the first half archived")
    produzir(settings.kafka, settings.kafka.topics.eventos, _mensagens(EVENTOS // 2, EVENTOS))
    eventually(lambda: assinado(pasta, EVENTOS), what="a checkpoint of every event")
    chave = run_cli(settings, "audit", "key")
    assert chave.returncode == 0, chave.stderr
    return settings, pasta, chave.stdout.strip()


@pytest.fixture
def copia(original: tuple[Settings, Path, str], tmp_path: Path) -> Path:
    """A copy of the archive to tamper with."""
    destino = tmp_path / "arquivo"
    shutil.copytree(original[1], destino)
    return destino


def verificar(original: tuple[Settings, Path, str], pasta: Path) -> tuple[int, str]:
    resultado = run_cli(original[0], "audit", "verify", str(pasta), "--chave", original[2])
    return resultado.returncode, resultado.stdout + resultado.stderr


def _segmento(pasta: Path, numero: int) -> Path:
    return pasta / "segmentos" / nome_segmento(numero)


def _registros(caminho: Path) -> list[bytes]:
    """A segment file's records, each as its framed bytes."""
    dados = caminho.read_bytes()
    with open(caminho, "rb") as f:
        posicoes = [r.posicao for r in ler_registros(f)]
    return [dados[a:b] for a, b in zip(posicoes, [*posicoes[1:], len(dados)], strict=True)]


def _reescrever(caminho: Path, mudar: Callable[[list[bytes]], list[bytes]]) -> None:
    caminho.write_bytes(b"".join(mudar(_registros(caminho))))


# Event 3 of segment 1 is global index POR_SEGMENTO + 3; record 0 is the header, so it is record 4.
ONDE = f"segmento {nome_segmento(1)}, evento 3 (índice {POR_SEGMENTO + 3})"


def test_the_archive_holds_every_event_once_and_verifies(original: tuple[Settings, Path, str]) -> None:
    settings, pasta, _chave = original
    _folhas, eventos = ler_folhas(pasta, escolher=lambda _e: True)
    assert sorted(e.valor or b"" for e, _ in eventos) == sorted(v or b"" for _, v in _mensagens(0, EVENTOS))
    assert [e.indice for e, _ in eventos] == list(range(EVENTOS))
    assert len(listar_segmentos(pasta)[0]) == EVENTOS // POR_SEGMENTO + 1
    status, saida = verificar(original, pasta)
    assert status == 0, saida
    assert f"arquivo íntegro: {EVENTOS} eventos" in saida


def test_an_altered_event_is_found_where_it_is(original: tuple[Settings, Path, str], copia: Path) -> None:
    def alterar(registros: list[bytes]) -> list[bytes]:
        r = bytearray(registros[4])
        r[-6] ^= 0x01  # a byte of the value, just before the CRC
        registros[4] = bytes(r)
        return registros

    _reescrever(_segmento(copia, 1), alterar)
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"{ONDE}: registro corrompido" in saida


def test_an_altered_event_with_a_recomputed_crc_breaks_the_seal_and_the_checkpoints(
    original: tuple[Settings, Path, str], copia: Path
) -> None:
    def alterar(registros: list[bytes]) -> list[bytes]:
        corpo = bytearray(registros[4][5:-4])
        corpo[-2] ^= 0x01
        registros[4] = registro(EVENTO, bytes(corpo))
        return registros

    _reescrever(_segmento(copia, 1), alterar)
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"segmento {nome_segmento(1)}: a raiz Merkle dos eventos não confere com o selo" in saida
    for tamanho, _ in listar_checkpoints(copia):
        # Only the checkpoints that cover the altered event (index 43) stop matching.
        assert (f"checkpoint {tamanho}: a raiz assinada não confere" in saida) == (tamanho > POR_SEGMENTO + 3)


def test_a_removed_event_is_found_where_it_is(original: tuple[Settings, Path, str], copia: Path) -> None:
    _reescrever(_segmento(copia, 1), lambda r: r[:4] + r[5:])
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"{ONDE}: traz o índice {POR_SEGMENTO + 4}: falta evento antes deste" in saida
    assert f"o selo diz {POR_SEGMENTO} eventos, o segmento tem {POR_SEGMENTO - 1}" in saida


def test_an_inserted_event_is_found_where_it_is(original: tuple[Settings, Path, str], copia: Path) -> None:
    _reescrever(_segmento(copia, 1), lambda r: [*r[:4], r[4], r[4], *r[5:]])
    status, saida = verificar(original, copia)
    assert status == 1
    onde = f"segmento {nome_segmento(1)}, evento 4 (índice {POR_SEGMENTO + 4})"
    assert f"{onde}: traz o índice {POR_SEGMENTO + 3}: evento repetido, inserido ou fora de ordem" in saida


def test_reordered_events_are_found_where_they_are(original: tuple[Settings, Path, str], copia: Path) -> None:
    _reescrever(_segmento(copia, 1), lambda r: [*r[:4], r[5], r[4], *r[6:]])
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"{ONDE}: traz o índice {POR_SEGMENTO + 4}" in saida


def test_a_removed_segment_is_named(original: tuple[Settings, Path, str], copia: Path) -> None:
    _segmento(copia, 1).unlink()
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"segmento {nome_segmento(1)}: ausente" in saida
    assert f"segmento {nome_segmento(2)}: não encadeia com o segmento anterior" in saida


def test_a_removed_last_segment_is_caught_by_the_checkpoints(
    original: tuple[Settings, Path, str], copia: Path
) -> None:
    ultimo = listar_segmentos(copia)[0][-1][0]
    _segmento(copia, ultimo).unlink()
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"assinado para {EVENTOS} eventos, o arquivo tem só {ultimo * POR_SEGMENTO}" in saida


def test_reordered_segments_are_named(original: tuple[Settings, Path, str], copia: Path) -> None:
    um, dois = _segmento(copia, 1), _segmento(copia, 2)
    temporario = copia / "troca"
    um.rename(temporario)
    dois.rename(um)
    temporario.rename(dois)
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"segmento {nome_segmento(1)}: o cabeçalho diz segmento 2: segmentos trocados" in saida
    assert f"segmento {nome_segmento(2)}: o cabeçalho diz segmento 1" in saida


def test_an_altered_checkpoint_signature_is_named(original: tuple[Settings, Path, str], copia: Path) -> None:
    tamanho, caminho = listar_checkpoints(copia)[0]
    texto, assinatura = caminho.read_text(encoding="utf-8").rsplit(" ", 1)
    trocado = "B" if assinatura[20] == "A" else "A"
    caminho.write_text(f"{texto} {assinatura[:20]}{trocado}{assinatura[21:]}", encoding="utf-8")
    status, saida = verificar(original, copia)
    assert status == 1
    assert f"checkpoint {caminho.name}: assinatura inválida" in saida


def test_inclusion_proofs_of_a_processo_verify_and_a_wrong_one_fails(
    original: tuple[Settings, Path, str], tmp_path: Path
) -> None:
    settings, pasta, chave = original
    nup: Nup = NUPS[2]
    arquivo = tmp_path / "provas.json"
    gerada = run_cli(settings, "audit", "proof", nup.formatado, "--saida", str(arquivo), "--chave", chave)
    assert gerada.returncode == 0, gerada.stderr
    dados = json.loads(arquivo.read_text(encoding="utf-8"))
    assert len(dados["provas"]) == EVENTOS // len(NUPS)
    assert "verificado: 30 provas conferem" in gerada.stdout
    conferida = run_cli(settings, "audit", "proof", "--verificar", str(arquivo), "--chave", chave)
    assert conferida.returncode == 0, conferida.stderr
    caminho = dados["provas"][7]["caminho"]
    caminho[1] = ("0" if caminho[1][0] != "0" else "1") + caminho[1][1:]
    arquivo.write_text(json.dumps(dados), encoding="utf-8")
    errada = run_cli(settings, "audit", "proof", "--verificar", str(arquivo), "--chave", chave)
    assert errada.returncode == 1
    assert "prova 7" in errada.stderr


def test_a_bad_nup_is_a_usage_error(original: tuple[Settings, Path, str]) -> None:
    resultado = run_cli(original[0], "audit", "proof", "123", "--chave", original[2])
    assert resultado.returncode == 2
    assert "NUP inválido" in resultado.stderr


def test_a_later_checkpoint_extends_an_earlier_one(original: tuple[Settings, Path, str]) -> None:
    settings, pasta, chave = original
    tamanhos = [t for t, _ in listar_checkpoints(pasta) if t > 0]  # the first start signs the empty tree
    resultado = run_cli(settings, "audit", "consistency", "--de", str(tamanhos[0]), "--chave", chave)
    assert resultado.returncode == 0, resultado.stderr
    assert f"verificado: o checkpoint de {tamanhos[-1]} estende o de {tamanhos[0]}" in resultado.stdout
    folhas, _ = ler_folhas(pasta)
    prova = Arvore(folhas).consistencia(tamanhos[0], tamanhos[-1])
    raiz_antiga, raiz_nova = Arvore(folhas).raiz(tamanhos[0]), Arvore(folhas).raiz(tamanhos[-1])
    assert verificar_consistencia(
        antigo=tamanhos[0], novo=tamanhos[-1], raiz_antiga=raiz_antiga, raiz_nova=raiz_nova, prova=prova
    )
    errada = [bytes([prova[0][0] ^ 1]) + prova[0][1:], *prova[1:]]
    assert not verificar_consistencia(
        antigo=tamanhos[0], novo=tamanhos[-1], raiz_antiga=raiz_antiga, raiz_nova=raiz_nova, prova=errada
    )
