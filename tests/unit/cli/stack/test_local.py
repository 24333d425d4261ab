"""What the local stack does with a previous run's files (cli/stack/local.py), without starting anything."""

from __future__ import annotations

from pathlib import Path

from cli.stack import LocalStack
from protocolo.settings import Settings


def test_a_new_run_drops_the_old_tables_and_sets_the_old_archive_aside_keeping_the_key(
    tmp_path: Path,
) -> None:
    """The local broker starts empty: old tables would make every event a resend, an old archive would
    resume at offsets the new topics have not reached."""
    settings = Settings(state_dir=tmp_path)
    tabela = settings.pasta_streams() / "protocolo-streams" / "w1" / "estados.db"
    tabela.mkdir(parents=True)
    segmento = settings.pasta_arquivo() / "segmentos" / "000001.seg"
    segmento.parent.mkdir(parents=True)
    segmento.write_bytes(b"old")
    settings.chave_arquivo().parent.mkdir(parents=True, exist_ok=True)
    settings.chave_arquivo().write_text("chave")
    (tmp_path / "arquivo.anterior").mkdir()  # from two runs ago
    avisos: list[str] = []

    LocalStack(settings, avisar=avisos.append).esquecer_execucao_anterior()

    assert not settings.pasta_streams().exists()
    assert not settings.pasta_arquivo().exists()
    assert (tmp_path / "arquivo.anterior" / "segmentos" / "000001.seg").read_bytes() == b"old"
    assert settings.chave_arquivo().read_text() == "chave"
    assert len(avisos) == 2


def test_a_first_run_has_nothing_to_set_aside(tmp_path: Path) -> None:
    avisos: list[str] = []
    LocalStack(Settings(state_dir=tmp_path), avisar=avisos.append).esquecer_execucao_anterior()
    assert avisos == [] and list(tmp_path.iterdir()) == []
