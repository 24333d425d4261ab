"""docker-compose.yml: the Compose Specification's schema, real commands, real settings, scaling, profiles.

No Docker engine runs here, so nothing is started: these checks read the file the way Compose and the
services would. The schema is the Compose Specification's own JSON schema as the npm package dclint
3.1.0 ships it (`schemas/compose.schema.json`, pinned in tests/unit/deploy/package.json and installed by
`make deploy-deps`, which `make test` runs).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer

from cli.commands import app
from cli.docs_settings import render_settings_table
from tests.fixtures.implantacao import COMPOSE, COMPOSE_SCHEMA, ENV_FILES, ler_env

# One-shot jobs: they run to the end and must not be restarted.
UMA_VEZ = {"certs", "kafka-usuarios", "es-usuario", "init", "simulador"}
# Services `docker compose up --scale` may multiply: no fixed container name, no host port.
ESCALAVEIS = {"streams", "indexer", "notifier"}


def _imagem_protocolo(servico: dict[str, Any]) -> bool:
    return str(servico.get("image", "")).startswith("protocolo:")


def _variaveis_reais() -> set[str]:
    """Every environment variable protocolo reads: the generated settings table is the list."""
    return set(re.findall(r"^\| `(PROTOCOLO_[A-Z0-9_]+)`", render_settings_table(), flags=re.MULTILINE))


def _comandos(servico: dict[str, Any]) -> list[list[str]]:
    """The argv lists a service runs: its command (each `&&` step of an `sh -c`) and its healthcheck."""
    argvs = []
    comando = servico.get("command")
    if isinstance(comando, list) and comando[:2] == ["sh", "-c"]:
        # `$$` is Compose's escape for a `$` the shell expands: an option's value, not an option.
        argvs += [shlex.split(passo.replace("$$", "$")) for passo in comando[2].split("&&")]
    elif isinstance(comando, list):
        argvs.append([str(x) for x in comando])
    teste = (servico.get("healthcheck") or {}).get("test")
    if isinstance(teste, list) and teste[0] == "CMD":
        argvs.append(teste[1:])
    return argvs


def _comando_cli(argv: list[str]) -> Any:
    """The typer command `protocolo argv...` runs; fails if a subcommand or an option is unknown."""
    atual: Any = typer.main.get_command(app)
    resto = list(argv)
    while hasattr(atual, "get_command") and resto:  # a group (typer vendors its own click)
        nome = resto.pop(0)
        proximo = atual.get_command(atual.context_class(atual), nome)
        assert proximo is not None, f"`protocolo {' '.join(argv)}`: no command {nome!r}"
        atual = proximo
    opcoes = {o for p in atual.params for o in getattr(p, "opts", [])}
    for arg in resto:
        if arg.startswith("--"):
            assert arg.split("=")[0] in opcoes, f"`protocolo {' '.join(argv)}`: no option {arg}"
    return atual


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert COMPOSE_SCHEMA.exists(), "the Compose Specification's schema is missing: run `make deploy-deps`"
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validador = jsonschema.Draft7Validator(schema)
    erros = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validador.iter_errors(compose)]
    assert not erros, "\n".join(erros)


def test_the_schema_check_catches_a_misspelt_key(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    errado = json.loads(json.dumps(compose))
    errado["services"]["api"]["helthcheck"] = errado["services"]["api"].pop("healthcheck")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(errado, schema, cls=jsonschema.Draft7Validator)


def test_every_service_command_is_a_real_module_or_cli_command(compose: dict[str, Any]) -> None:
    vistos = 0
    for nome, servico in compose["services"].items():
        if not _imagem_protocolo(servico):
            continue
        for argv in _comandos(servico):
            vistos += 1
            if argv[:2] == ["python", "-m"]:
                modulo = argv[2]
                assert importlib.util.find_spec(modulo) is not None, f"{nome}: no module {modulo}"
                if "." not in modulo:
                    assert importlib.util.find_spec(f"{modulo}.__main__") is not None, f"{nome}: {modulo}"
            else:
                assert argv[0] == "protocolo", f"{nome}: runs {argv[0]!r}, not protocolo or python -m"
                _comando_cli(argv[1:])
    assert vistos >= 10


def test_the_command_check_catches_an_unknown_command() -> None:
    with pytest.raises(AssertionError, match="no command"):
        _comando_cli(["criar-topicos"])
    with pytest.raises(AssertionError, match="no option"):
        _comando_cli(["simulate", "--velocidade", "3"])


def test_every_protocolo_variable_passed_is_a_real_setting(compose: dict[str, Any]) -> None:
    reais = _variaveis_reais()
    assert "PROTOCOLO_SECRET_KEY" in reais and "PROTOCOLO_TOPIC_RETENCAO_DLQ_DIAS" in reais
    passadas: dict[str, str] = {}
    for nome, servico in compose["services"].items():
        for variavel in servico.get("environment") or {}:
            passadas.setdefault(variavel, f"services.{nome}.environment")
    for variavel in re.findall(r"\$\{(PROTOCOLO_[A-Z0-9_]+)", COMPOSE.read_text(encoding="utf-8")):
        passadas.setdefault(variavel, "an interpolation in docker-compose.yml")
    for arquivo in ENV_FILES:
        for variavel in ler_env(arquivo):
            passadas.setdefault(variavel, arquivo.name)
    inventadas = {v: onde for v, onde in passadas.items() if v.startswith("PROTOCOLO_") and v not in reais}
    assert not inventadas, f"not settings of protocolo/settings.py: {inventadas}"


def test_scalable_services_have_no_fixed_name_and_no_host_port(compose: dict[str, Any]) -> None:
    servicos = compose["services"]
    assert not [n for n, s in servicos.items() if "container_name" in s]
    for nome in ESCALAVEIS:
        assert "ports" not in servicos[nome], nome
        assert "container_name" not in servicos[nome], nome
    # Each streams replica keeps its tables in a volume of its own (anonymous), never a shared named one.
    assert "/var/lib/protocolo" in servicos["streams"]["volumes"]


def test_long_running_services_restart_and_have_a_healthcheck(compose: dict[str, Any]) -> None:
    for nome, servico in compose["services"].items():
        if nome in UMA_VEZ:
            assert servico.get("restart") == "no", nome
            continue
        assert servico.get("restart") == "unless-stopped", nome
        teste = servico.get("healthcheck", {})
        assert not teste.get("disable"), nome
        # protocolo containers use the image's HEALTHCHECK (python -m cli.saude) unless they refine it.
        assert teste or _imagem_protocolo(servico) or nome == "mailpit", f"{nome}: no healthcheck"


def test_services_start_after_the_init_job_and_init_after_the_servers(compose: dict[str, Any]) -> None:
    servicos = compose["services"]
    for nome in ("streams", "indexer", "notifier", "archiver", "api", "simulador"):
        assert servicos[nome]["depends_on"]["init"]["condition"] == "service_completed_successfully", nome
    init = servicos["init"]["depends_on"]
    assert init["kafka"]["condition"] == "service_healthy"
    assert init["kafka-usuarios"]["condition"] == "service_completed_successfully"
    assert init["es-usuario"]["condition"] == "service_completed_successfully"
    comandos = [argv[:2] for argv in _comandos(servicos["init"])]
    assert comandos == [
        ["protocolo", "create-topics"],
        ["protocolo", "create-indices"],
        ["protocolo", "referencia"],
    ]


def test_state_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    servicos, volumes = compose["services"], set(compose["volumes"])
    for nome, destino in (
        ("kafka", "kafka-data:/var/lib/kafka/data"),
        ("elasticsearch", "es-data:/usr/share/elasticsearch/data"),
        ("archiver", "arquivo-data:/var/lib/protocolo"),
        ("prometheus", "prometheus-data:/prometheus"),
    ):
        assert destino in servicos[nome]["volumes"], nome
        assert destino.split(":")[0] in volumes


def test_elasticsearch_runs_with_security_and_tls(compose: dict[str, Any]) -> None:
    ambiente = compose["services"]["elasticsearch"]["environment"]
    assert ambiente["xpack.security.enabled"] == "true"
    assert ambiente["xpack.security.http.ssl.enabled"] == "true"
    assert ambiente["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    protocolo = compose["services"]["indexer"]["environment"]
    assert protocolo["PROTOCOLO_SEARCH_URL"].startswith("https://")
    assert protocolo["PROTOCOLO_SEARCH_USERNAME"] == "protocolo"


def test_mailpit_only_in_the_dev_profile_and_the_relay_by_default(compose: dict[str, Any]) -> None:
    servicos = compose["services"]
    assert servicos["mailpit"]["profiles"] == ["dev"]
    assert servicos["notifier"]["environment"]["PROTOCOLO_SMTP_HOST"].startswith("${PROTOCOLO_SMTP_HOST:?")
    assert (
        servicos["notifier"]["environment"]["PROTOCOLO_SMTP_STARTTLS"] == "${PROTOCOLO_SMTP_STARTTLS:-true}"
    )
    dev = ler_env(ENV_FILES[2])
    assert dev["COMPOSE_PROFILES"] == "dev" and dev["PROTOCOLO_SMTP_HOST"] == "mailpit"


def test_cluster_profile_has_three_voting_brokers_replication_3_and_min_isr_2(
    compose: dict[str, Any],
) -> None:
    servicos = compose["services"]
    cluster = ler_env(ENV_FILES[1])
    assert cluster["COMPOSE_PROFILES"] == "cluster"
    assert cluster["KAFKA_REPLICATION_FACTOR"] == cluster["PROTOCOLO_TOPIC_REPLICATION_FACTOR"] == "3"
    assert cluster["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
    votantes = dict(v.split("@") for v in cluster["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
    brokers = set(cluster["PROTOCOLO_KAFKA_BOOTSTRAP_SERVERS"].split(","))
    for no, endereco in votantes.items():
        host = endereco.split(":")[0]
        assert str(servicos[host]["environment"]["KAFKA_NODE_ID"]) == no
        assert f"{host}:9092" in brokers
        anunciados = servicos[host]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
        assert anunciados == f"SASL_SSL://{host}:9092,INTERNO://{host}:9094"
        assert servicos[host]["environment"]["KAFKA_SSL_KEYSTORE_FILENAME"] == f"{host}.p12"
    assert servicos["kafka-2"]["profiles"] == servicos["kafka-3"]["profiles"] == ["cluster"]
    assert "profiles" not in servicos["kafka"]  # one broker by default


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for nome, servico in compose["services"].items():
        imagem = str(servico["image"])
        repositorio, _, tag = imagem.rpartition(":")
        assert repositorio and tag and tag != "latest" and re.search(r"\d", tag), f"{nome}: {imagem}"


def test_dclint_finds_no_problem() -> None:
    """dclint's own rules (the package that ships the schema): no port beyond loopback, quoted ports, ...

    tests/unit/deploy/dclint.json turns its ordering rules off: the file is ordered by role (Kafka,
    Elasticsearch, mail, protocolo, metrics) and each service's keys by what a reader looks for first.
    """
    dclint = COMPOSE_SCHEMA.parents[1] / "bin" / "dclint.cjs"
    configuracao = Path(__file__).with_name("dclint.json")
    resultado = subprocess.run(
        [
            "node",
            str(dclint),
            str(COMPOSE),
            "-c",
            str(configuracao),
            "--max-warnings",
            "0",
            "--color",
            "false",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr


def test_kafka_clients_connect_with_sasl_ssl_scram_and_the_deployment_ca(compose: dict[str, Any]) -> None:
    for nome, servico in compose["services"].items():
        if not _imagem_protocolo(servico):
            continue
        ambiente = servico["environment"]
        assert ambiente["PROTOCOLO_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL", nome
        assert ambiente["PROTOCOLO_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512", nome
        assert ambiente["PROTOCOLO_KAFKA_SASL_USERNAME"] == "protocolo", nome
        assert ambiente["PROTOCOLO_KAFKA_SASL_PASSWORD"].startswith("${PROTOCOLO_KAFKA_SASL_PASSWORD:?"), nome
        assert ambiente["PROTOCOLO_KAFKA_SSL_CA_LOCATION"] == "/run/certs/ca/ca.crt", nome
        assert "certs:/run/certs:ro" in servico["volumes"], nome
    exemplo = ler_env(ENV_FILES[0])
    assert "PROTOCOLO_KAFKA_SASL_PASSWORD" in exemplo and "KAFKA_SSL_PASSWORD" in exemplo
    usuarios = compose["services"]["kafka-usuarios"]
    assert (
        "SCRAM-SHA-512=[iterations=8192,password=$${PROTOCOLO_KAFKA_SASL_PASSWORD}]" in usuarios["command"][2]
    )
    assert "--entity-name protocolo" in usuarios["command"][2]


def test_every_kafka_listener_is_tls_and_the_client_one_demands_scram(compose: dict[str, Any]) -> None:
    certificados = compose["services"]["certs"]["command"][2]
    for nome in ("kafka", "kafka-2", "kafka-3"):
        ambiente = compose["services"][nome]["environment"]
        mapa = dict(par.split(":") for par in ambiente["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
        assert "PLAINTEXT" not in mapa.values() and "SASL_PLAINTEXT" not in mapa.values(), nome
        assert mapa == {"SASL_SSL": "SASL_SSL", "INTERNO": "SSL", "CONTROLLER": "SSL"}
        assert ambiente["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
        # Certificate-only listeners: only holders of a certificate of the deployment's CA get in.
        assert ambiente["KAFKA_LISTENER_NAME_INTERNO_SSL_CLIENT_AUTH"] == "required"
        assert ambiente["KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH"] == "required"
        # What the image's start script demands before it starts a TLS or SASL listener at all.
        for variavel in (
            "KAFKA_SSL_KEYSTORE_FILENAME",
            "KAFKA_SSL_KEY_CREDENTIALS",
            "KAFKA_SSL_KEYSTORE_CREDENTIALS",
        ):
            assert ambiente.get(variavel), f"{nome}: {variavel}"
        assert "java.security.auth.login.config=/etc/kafka/secrets/" in ambiente["KAFKA_OPTS"]
        assert "kafka-secrets:/etc/kafka/secrets:ro" in compose["services"][nome]["volumes"]
        assert nome in certificados  # the certs job makes this broker's keystore
        # The image turns KAFKA_* variables into server.properties but drops any value holding a `=`.
        com_igual = [
            v
            for v, valor in ambiente.items()
            if v.startswith("KAFKA_") and v != "KAFKA_OPTS" and "=" in str(valor)
        ]
        assert not com_igual, f"{nome}: {com_igual}"
