"""The reference verifier printed in docs/auditoria.md checks real proof files (and rejects a wrong one)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from archiver.arquivo import Arquivo
from archiver.nota import gerar_assinante
from archiver.provas import checkpoint_assinado, json_de_prova, ler_folhas, provar_inclusao
from protocolo.entrada import Entrada

DOC = Path(__file__).parents[3] / "docs" / "auditoria.md"
ORIGEM = "teste/arquivo"


def _verificador_da_doc(pasta: Path) -> Path:
    codigo = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert codigo is not None, "docs/auditoria.md has no python block"
    script = pasta / "verificar_prova.py"
    script.write_text(codigo.group(1), encoding="utf-8")
    return script


def test_the_documented_verifier_accepts_real_proofs_and_rejects_a_wrong_one(tmp_path: Path) -> None:
    assinante = gerar_assinante(ORIGEM)
    arquivo = Arquivo(tmp_path / "arquivo", topico="t", eventos_por_segmento=16)
    arquivo.anexar([Entrada("t", i % 2, i // 2, b"%d" % (i % 5), b"valor %d" % i) for i in range(53)])
    arquivo.checkpoint(assinante, origem=ORIGEM)
    arquivo.fechar()
    nota, checkpoint = checkpoint_assinado(tmp_path / "arquivo", assinante.verificador)
    folhas, escolhidos = ler_folhas(tmp_path / "arquivo", escolher=lambda e: e.chave == b"3")
    provas, _ = provar_inclusao(folhas, escolhidos, checkpoint)
    arquivo_provas = tmp_path / "provas.json"
    arquivo_provas.write_text(json_de_prova(nota, provas), encoding="utf-8")
    script = _verificador_da_doc(tmp_path)
    chave = assinante.verificador.texto()

    def rodar() -> list[str]:
        argv = [sys.executable, str(script), str(arquivo_provas), chave]
        saida = subprocess.run(argv, capture_output=True, text=True, check=True)
        return saida.stdout.split("\n")[:-1]

    assert rodar() == [f"{p.evento.indice} ok" for p in provas]
    dados = json.loads(arquivo_provas.read_text(encoding="utf-8"))
    dados["provas"][2]["caminho"][0] = "00" * 32
    arquivo_provas.write_text(json.dumps(dados), encoding="utf-8")
    assert rodar()[2] == f"{provas[2].evento.indice} FALHOU"
