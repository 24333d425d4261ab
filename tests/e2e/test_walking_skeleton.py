"""One tramitação from an agency to the portal and a subscriber's inbox, on real servers and processes."""

from __future__ import annotations

import json
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocolo.avro import catalogo_padrao
from protocolo.documentos import gerar_cpf
from protocolo.kafka import make_consumer
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import kcat_env, produzir
from tests.fixtures.pipeline import (
    CGGP,
    PROTOCOLO,
    buscar_processo,
    emails_para,
    evento,
    novo_nup,
    rng,
    write_jsonl,
)

pytestmark = pytest.mark.slow


def test_published_event_is_searchable_and_a_subscriber_is_mailed_once(
    pipeline: Settings, api: httpx.Client, mail_dir: Path, tmp_path: Path
) -> None:
    nup = novo_nup()
    cpf = gerar_cpf(rng)
    palavra = f"zeladoria{rng.randint(10_000, 99_999)}"
    arquivo = write_jsonl(
        tmp_path / "eventos.jsonl",
        [
            evento(
                nup,
                1,
                "AUTUACAO",
                unidade_origem=PROTOCOLO,
                assunto=f"Solicitação de {palavra} predial",
                especie="Requerimento",
                interessados=[{"nome": "Maria da Conceição Souza", "documento": cpf}],
            ),
            evento(nup, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP),
            evento(nup, 3, "ENVIO", unidade_origem=PROTOCOLO),
        ],
    )

    resultado = run_cli(pipeline, "publish", str(arquivo))

    assert resultado.returncode == 1, resultado.stderr
    assert "lidos: 3, enviados: 2, rejeitados: 1" in resultado.stdout
    assert f"{arquivo}:3: unidade_destino: obrigatório na operação ENVIO" in resultado.stderr

    def achados() -> list[str]:
        corpo = api.get("/api/v1/processos", params={"q": f"{palavra} SOLICITACAO"}).json()
        return [item["nup_formatado"] for item in corpo["items"]]

    busca = eventually(achados, what="the processo to be searchable by assunto, without accents")
    assert busca == [nup.formatado]
    processo = eventually(lambda: buscar_processo(api, nup, movimentos=2), what="the processo page")
    assert [m["operacao"] for m in processo["movimentos"]] == ["AUTUACAO", "ENVIO"]
    assert processo["localizacao"]["sigla"] == "CGGP"
    assert processo["em_transito"] is True
    mascarado = f"***.{cpf[3:6]}.{cpf[6:9]}-**"
    assert processo["interessados"] == [
        {"nome": "Maria da Conceição Souza", "documento_mascarado": mascarado}
    ]
    assert cpf not in api.get(f"/api/v1/processos/{nup.formatado}").text

    pagina = api.get(f"/processos/{nup.digitos}", follow_redirects=False)
    assert pagina.status_code == 301
    assert pagina.headers["location"] == f"/processos/{nup.formatado}"
    html = api.get(f"/processos/{nup.formatado}").text
    assert "Onde está agora" in html and "Coordenação-Geral de Gestão de Pessoas" in html
    assert cpf not in html

    endereco = f"cidada-{nup.digitos}@example.com"
    inscricao = api.post("/api/v1/inscricoes", json={"nup": nup.formatado, "email": endereco})
    assert inscricao.status_code == 202
    assert endereco not in inscricao.text
    # Double opt-in: only a confirmed subscription is mailed movements.
    confirmacao = eventually(lambda: emails_para(mail_dir, endereco), what="the confirmation e-mail")[0]
    texto_confirmacao = confirmacao.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = next(p for p in texto_confirmacao.split() if "/inscricoes/confirmar/" in p)
    assert api.post(link.removeprefix(pipeline.api.public_base_url)).status_code == 200

    recebimento = evento(nup, 4, "RECEBIMENTO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)
    enviado = run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "recebimento.jsonl", [recebimento])))
    assert enviado.returncode == 0, enviado.stderr
    # A resend by the agency must not mail the subscriber again.
    run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "reenvio.jsonl", [recebimento])))

    def movimentos() -> list[EmailMessage]:
        return [m for m in emails_para(mail_dir, endereco) if not m["Subject"].startswith("Confirme")]

    mensagens = eventually(movimentos, what="the e-mail about the recebimento")
    eventually(
        lambda: (buscar_processo(api, nup) or {}).get("ultima_operacao") == "RECEBIMENTO",
        what="the recebimento to be indexed",
    )
    mensagens = movimentos()
    assert len(mensagens) == 1, [m["Subject"] for m in mensagens]
    mensagem = mensagens[0]
    assert mensagem["Subject"] == f"Processo {nup.formatado}: Recebimento"
    texto = mensagem.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Para: Coordenação-Geral de Gestão de Pessoas (CGGP)" in texto
    assert f"{pipeline.api.public_base_url}/processos/{nup.formatado}" in texto


def test_invalid_and_corrupt_messages_go_to_the_dead_letter_topic_with_a_reason(pipeline: Settings) -> None:
    catalogo = catalogo_padrao()
    nup = novo_nup()
    invalido = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="x")
    invalido["nup"] = nup.digitos[:-1] + str((int(nup.digitos[-1]) + 1) % 10)
    invalido["ocorrido_em"] = "2024-05-01T10:00:00-03:00"
    from datetime import datetime

    registro = invalido | {"ocorrido_em": datetime.fromisoformat(invalido["ocorrido_em"])}
    registro |= {"unidade_destino": None, "especie": None, "interessados": [], "observacao": None}
    registro |= {"nup_relacionado": None}
    mensagens = [(b"k1", catalogo.encode("evento", registro)), (b"k2", b"not avro at all")]
    produzir(pipeline.kafka, pipeline.kafka.topics.eventos, mensagens)

    consumer = make_consumer(pipeline.kafka, f"{pipeline.kafka.group_prefix}-dlq-reader")
    consumer.subscribe([pipeline.kafka.topics.dlq])
    cartas: dict[bytes, dict[str, Any]] = {}

    def ler() -> bool:
        for mensagem in consumer.consume(num_messages=10, timeout=0.5):
            if not mensagem.error():
                cartas[mensagem.key()] = catalogo.decode("dead_letter", mensagem.value())
        return {b"k1", b"k2"} <= set(cartas)

    eventually(ler, what="both rejected messages in the DLQ")
    consumer.close()
    assert cartas[b"k1"]["codigo"] == "EVENTO_INVALIDO"
    assert [v["campo"] for v in cartas[b"k1"]["violacoes"]] == ["nup"]
    assert "dígitos verificadores incorretos" in cartas[b"k1"]["violacoes"][0]["motivo"]
    assert cartas[b"k2"]["codigo"] == "MENSAGEM_CORROMPIDA"
    assert cartas[b"k2"]["valor"] == b"not avro at all"
    assert cartas[b"k2"]["topico"] == pipeline.kafka.topics.eventos


def test_an_agency_using_kcat_instead_of_python_is_searchable(
    pipeline: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed: `make test` installs it with apt-get")
    from protocolo.registros import evento_to_avro
    from protocolo.validation import evento_from_json

    nup = novo_nup()
    dados = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Auto de infração ambiental")
    mensagem = tmp_path / "evento.avro"
    mensagem.write_bytes(catalogo_padrao().encode("evento", evento_to_avro(evento_from_json(dados))))

    argv = [kcat, "-P", "-b", pipeline.kafka.bootstrap_servers, "-t", pipeline.kafka.topics.eventos]
    argv += ["-k", nup.digitos, str(mensagem)]
    subprocess.run(argv, check=True, timeout=30, env=kcat_env(tmp_path))

    processo = eventually(lambda: buscar_processo(api, nup), what="the kcat-published processo")
    assert processo["assunto"] == "Auto de infração ambiental"


def test_a_processo_that_becomes_sigiloso_disappears_from_every_public_view(
    pipeline: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    nup = novo_nup()
    palavra = f"sigilo{rng.randint(10_000, 99_999)}"
    autuacao = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=f"Apuração {palavra}")
    run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "a.jsonl", [autuacao])))
    eventually(lambda: buscar_processo(api, nup), what="the public processo")

    alteracao = evento(nup, 2, "ALTERACAO_NIVEL_ACESSO", nivel_acesso="SIGILOSO")
    assert run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "b.jsonl", [alteracao]))).returncode == 0

    eventually(lambda: api.get(f"/api/v1/processos/{nup.formatado}").status_code == 404, what="removal")
    assert api.get("/api/v1/processos", params={"q": palavra}).json()["total"] == 0
    assert api.get(f"/processos/{nup.formatado}").status_code == 404


def test_names_come_from_reference_data_loaded_while_the_streams_run(
    pipeline: Settings, api: httpx.Client, tmp_path: Path
) -> None:
    nup = novo_nup()
    orgao = f"9{rng.randint(1000, 9999)}"
    referencia = {
        "versao": 1,
        "orgaos": [
            {
                "codigo": orgao,
                "sigla": "FUNDTESTE",
                "nome": "Fundação Nacional de Testes",
                "unidades": [{"codigo": "700", "sigla": "DIPRO", "nome": "Divisão de Protocolo"}],
            }
        ],
    }
    arquivo = tmp_path / "orgaos.json"
    arquivo.write_text(json.dumps(referencia), encoding="utf-8")
    carga = run_cli(pipeline, "referencia", "load", str(arquivo))
    assert carga.returncode == 0, carga.stderr

    autuacao = evento(nup, 1, "AUTUACAO", orgao=orgao, unidade_origem={"codigo": "700"}, assunto="Convênio")
    publicado = run_cli(pipeline, "publish", str(write_jsonl(tmp_path / "e.jsonl", [autuacao])))
    assert publicado.returncode == 0, publicado.stderr

    processo = eventually(lambda: buscar_processo(api, nup), what="the processo of the new órgão")
    assert processo["orgao_nome"] == "Fundação Nacional de Testes"
    assert processo["localizacao"] == {"codigo": "700", "sigla": "DIPRO", "nome": "Divisão de Protocolo"}


def test_an_agency_switches_by_publishing_its_protocolo_integrado_xml_and_csv_files(
    pipeline: Settings, api: httpx.Client
) -> None:
    exemplos = Path(__file__).parents[2] / "examples"

    xml = run_cli(pipeline, "publish", str(exemplos / "protocolo_integrado.xml"), "--orgao", "26000")
    csv = run_cli(pipeline, "publish", str(exemplos / "eventos.csv"))

    assert xml.returncode == 0, xml.stderr
    assert "lidos: 17, enviados: 17, rejeitados: 0" in xml.stdout
    assert csv.returncode == 0, csv.stderr
    processo = eventually(
        lambda: buscar_processo(api, "23123.004567/2023-69", movimentos=5),
        what="the five movimentos of a processo of the XML file",
    )
    assert len(processo["movimentos"]) == 5  # its Documento has five ItemHistorico
    assert all(m["orgao"] == "26000" for m in processo["movimentos"])
    sem_orgao = run_cli(pipeline, "publish", str(exemplos / "protocolo_integrado.xml"))
    assert sem_orgao.returncode == 2 and "não informa o órgão" in sem_orgao.stderr
