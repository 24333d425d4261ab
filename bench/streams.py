"""Benchmark of the stream stage (issue 13): raw events -> processo snapshots, movimentos and DLQ.

    .venv/bin/python -m bench.streams [--eventos 1000000] [--fases ...] [--perfil]

Starts its own local broker and search server on free ports, puts N events of a long-tail workload
on the raw topic (bench/streams_carga.py: most processos under 20 events, 1 % over 1,000, one with
20,000; 5 % exact resends, 5 % out of order, 1 % invalid), then, in the same run, phase by phase:

  consumidor  the plain consumer (protocolo.leitura.ler_ate_o_fim) reading the topic to its end
  faust       a no-op Faust agent (python -m bench.faust_vazio: take_events(2000, within=0.05), only
              counting) in a new group, until it has read N
  streams     a real `python -m streams` worker; progress is its counter
              protocolo_streams_mensagens_total, polled every 0.2 s: time to the first message, the
              rate over the first 100 k (a tenth of N when N < 1 M) and over all N, the sustained rate
              between 10 % and 90 %; then the newest snapshot of each NUP is checked against the
              number of distinct valid events the workload made for it
  cauda       K=5,000 events over new short processos (8 events each), timed until the counter has
              advanced by K; then K events appended to the long processo, timed likewise
  reinicio    SIGKILL the worker, start a new one on the same state dir, publish one event: time
              from the start until the counter reaches 1 and until that event's snapshot is out;
              then the same for a worker with static group membership (PROTOCOLO_STREAMS_INSTANCIA)
              killed and started again under its id
  latencia    with `python -m indexer` running too: events offered at 200 and at 500 per second,
              ~20 s each; publish -> the movimento's id found in the search server, p50 and p99

The peak resident memory (VmHWM) of the first worker is read before it is killed. Figures go to
the console and bench/resultados/streams.json. With --perfil the first worker runs under
pyinstrument and is stopped with SIGTERM (so the profile gets written) instead of SIGKILL.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import TopicPartition
from rich.console import Console

from bench.pilha import iniciar_pilha
from bench.saida import gravar_resultados
from bench.streams_carga import Carga
from cli.stack import porta_livre
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_consumer, make_producer
from protocolo.leitura import ler_ate_o_fim
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import KafkaSettings, Settings

console = Console(highlight=False, soft_wrap=True)
RESULTADOS = Path(__file__).parent / "resultados" / "streams.json"
FASES = ("consumidor", "faust", "streams", "cauda", "reinicio", "latencia")
CONTADOR_STREAMS = "protocolo_streams_mensagens_total"
CONTADOR_VAZIO = "bench_faust_vazio_mensagens_total"
K_CAUDA = 5_000
INTERVALO = 0.2  # s between two reads of a counter


def _produzir(
    kafka: KafkaSettings, topico: str, mensagens: Iterable[tuple[bytes, bytes]]
) -> tuple[int, float]:
    producer = make_producer(kafka)
    inicio = time.perf_counter()
    n = 0
    for chave, valor in mensagens:
        while True:
            try:
                producer.produce(topico, key=chave, value=valor)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        n += 1
    assert producer.flush(120) == 0
    return n, time.perf_counter() - inicio


def _contador(porta: int, nome: str) -> float | None:
    """The counter's value on the process's /metrics, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{porta}/metrics", timeout=2) as resposta:
            texto = resposta.read().decode()
    except OSError:
        return None
    for linha in texto.splitlines():
        if linha.startswith(nome + " "):
            return float(linha.split()[1])
    return None


def _acompanhar(
    processo: subprocess.Popen[bytes], porta: int, nome: str, alvo: float, prazo_s: float, log: Path
) -> list[tuple[float, float]]:
    """Poll the counter every 0.2 s until it reaches `alvo`: [(perf_counter, value)]."""
    amostras: list[tuple[float, float]] = []
    limite = time.monotonic() + prazo_s
    while True:
        valor = _contador(porta, nome)
        agora = time.perf_counter()
        if valor is not None:
            amostras.append((agora, valor))
            if valor >= alvo:
                return amostras
        if processo.poll() is not None:
            raise SystemExit(f"o processo terminou (status {processo.returncode}); veja {log}")
        if time.monotonic() > limite:
            raise SystemExit(f"o contador parou em {valor} de {alvo:.0f} no prazo; veja {log}")
        time.sleep(INTERVALO)


def _quando(amostras: list[tuple[float, float]], valor: float) -> tuple[float, float]:
    """The first sample at or above `valor`."""
    return next((t, v) for t, v in amostras if v >= valor)


def _taxa(amostras: list[tuple[float, float]], de: float, ate: float) -> float:
    (t0, v0), (t1, v1) = _quando(amostras, de), _quando(amostras, ate)
    return (v1 - v0) / (t1 - t0) if t1 > t0 else float("nan")


def _medidas(amostras: list[tuple[float, float]], inicio: float, n: int, primeiros: int) -> dict[str, float]:
    """Start to first message, rates over the first `primeiros`, over all N and between 10 and 90 %."""
    t_primeira, _ = _quando(amostras, 1)
    t_fim, _ = _quando(amostras, n)
    base = [(t_primeira, 0.0), *[(t, v) for t, v in amostras if t > t_primeira]]
    return {
        "inicio_ate_primeira_s": round(t_primeira - inicio, 2),
        f"primeiros_{primeiros}_eventos_por_s": round(_taxa(base, 0, primeiros), 1),
        "total_eventos_por_s": round(n / (t_fim - t_primeira), 1),
        "sustentado_10_90_eventos_por_s": round(_taxa(amostras, 0.1 * n, 0.9 * n), 1),
        "duracao_s": round(t_fim - inicio, 1),
    }


def _rss_pico_mb(pid: int) -> float:
    for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linha.startswith("VmHWM:"):
            return int(linha.split()[1]) / 1024
    return 0.0


def _lancar(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as saida:
        return subprocess.Popen(
            argv, env=env, stdout=saida, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def _parar(processo: subprocess.Popen[bytes]) -> None:
    if processo.poll() is None:
        processo.terminate()
        try:
            processo.wait(30)
        except subprocess.TimeoutExpired:
            processo.kill()
            processo.wait()


def _conferir(kafka: KafkaSettings, esperado: dict[str, int]) -> tuple[int, int]:
    """(NUPs whose newest snapshot's versao differs from the expected one, snapshots read)."""
    catalogo = catalogo_padrao()
    ultimos: dict[bytes, bytes] = {}
    lidos = 0
    for mensagem in ler_ate_o_fim(kafka, kafka.topics.processos):
        lidos += 1
        chave, valor = mensagem.key(), mensagem.value()
        if chave is not None and valor is not None:
            ultimos[chave] = valor
    erradas = 0
    for nup, versao in esperado.items():
        valor = ultimos.get(nup.encode())
        if valor is None or catalogo.decode("processo", valor).get("versao") != versao:
            erradas += 1
    return erradas, lidos


def _percentil(valores: list[float], p: float) -> float:
    if not valores:
        return float("nan")
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, int(p * len(ordenados)))]


class Bench:
    """One run: the stack, the workload, the worker under test and the figures so far."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.n: int = args.eventos
        self.primeiros = min(100_000, self.n // 10)
        self.stack = iniciar_pilha("streams")
        self.settings: Settings = self.stack.settings
        self.kafka = self.settings.kafka
        self.carga = Carga(self.n, carregar_referencia())
        self.logs = self.settings.state_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.filhos: list[subprocess.Popen[bytes]] = []
        self.worker: subprocess.Popen[bytes] | None = None
        self.porta = 0
        self.perfil = self.settings.state_dir / "streams-perfil.txt"
        self.r: dict[str, Any] = {"eventos": self.n, "cpus": os.cpu_count()}

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **self.settings.to_env(), **extra}

    def produzir(self, mensagens: Iterable[tuple[bytes, bytes]]) -> tuple[int, float]:
        return _produzir(self.kafka, self.kafka.topics.eventos, mensagens)

    def iniciar_worker(self, *, perfil: bool, instancia: str = "") -> float:
        """Start `python -m streams` on a fresh metrics port (static membership under `instancia`, if
        given); returns its start instant."""
        self.porta = porta_livre()
        argv = [sys.executable, "-m", "streams"]
        if perfil:
            argv = [
                sys.executable,
                "-m",
                "pyinstrument",
                "-r",
                "text",
                "--show-all",
                "-o",
                str(self.perfil),
                *argv[1:],
            ]
        inicio = time.perf_counter()
        self.worker = _lancar(
            argv,
            self.env(PROTOCOLO_STREAMS_METRICS_PORT=str(self.porta), PROTOCOLO_STREAMS_INSTANCIA=instancia),
            self.logs / "streams.log",
        )
        self.filhos.append(self.worker)
        return inicio

    def acompanhar(self, alvo: float, prazo_s: float) -> list[tuple[float, float]]:
        assert self.worker is not None
        return _acompanhar(
            self.worker, self.porta, CONTADOR_STREAMS, alvo, prazo_s, self.logs / "streams.log"
        )

    def contagem(self) -> float:
        return _contador(self.porta, CONTADOR_STREAMS) or 0.0

    # phases -----------------------------------------------------------------------------------

    def carregar(self) -> None:
        self.stack.carregar_referencia_exemplo()
        console.print(
            f"gerando e publicando {self.n:,d} eventos: {len(self.carga.processos):,d} processos, "
            f"o mais longo com {self.carga.longo_tamanho:,d} eventos…"
        )
        n, segundos = self.produzir(self.carga.mensagens())
        assert n == self.n
        c = self.carga
        grandes = sum(1 for p in c.processos if p.tamanho > 1_000)
        curtos = sum(1 for p in c.processos if p.tamanho < 20)
        console.print(
            f"  {segundos:.1f} s ({n / segundos:,.0f} eventos/s); reenvios {c.reenvios:,d}, fora de ordem "
            f"{c.fora_de_ordem:,d}, inválidos {c.invalidos:,d}; processos com < 20 eventos: "
            f"{curtos / len(c.processos):.1%}, com > 1.000: {grandes:,d}"
        )
        self.r["carga"] = {
            "processos": len(c.processos),
            "processos_mais_de_1000_eventos": grandes,
            "processos_menos_de_20_eventos": curtos,
            "processo_longo_eventos": c.longo_tamanho,
            "eventos_validos_distintos": c.validos,
            "reenvios": c.reenvios,
            "fora_de_ordem": c.fora_de_ordem,
            "invalidos": c.invalidos,
            "geracao_e_publicacao_s": round(segundos, 1),
        }

    def consumidor(self) -> None:
        inicio = time.perf_counter()
        lidas = sum(1 for _ in ler_ate_o_fim(self.kafka, self.kafka.topics.eventos))
        segundos = time.perf_counter() - inicio
        assert lidas == self.n, f"lidas {lidas} de {self.n}"
        self.r["consumidor_simples_eventos_por_s"] = round(self.n / segundos, 1)
        console.print(f"consumidor simples: {segundos:.2f} s = {self.n / segundos:,.0f} eventos/s")

    def faust(self) -> None:
        porta = porta_livre()
        log = self.logs / "faust-vazio.log"
        grupo = self.kafka.group(f"bench-faust-vazio-{time.time_ns()}")
        inicio = time.perf_counter()
        processo = _lancar([sys.executable, "-m", "bench.faust_vazio", grupo, str(porta)], self.env(), log)
        self.filhos.append(processo)
        try:
            amostras = _acompanhar(processo, porta, CONTADOR_VAZIO, self.n, max(600, self.n / 500), log)
        finally:
            _parar(processo)
        m = _medidas(amostras, inicio, self.n, self.primeiros)
        self.r["faust_vazio"] = m
        console.print(
            f"agente Faust vazio: {m['total_eventos_por_s']:,.0f} eventos/s (sustentado 10→90 %: "
            f"{m['sustentado_10_90_eventos_por_s']:,.0f}); "
            f"primeira mensagem {m['inicio_ate_primeira_s']:.1f} s"
        )

    def streams(self) -> None:
        inicio = self.iniciar_worker(perfil=self.args.perfil)
        amostras = self.acompanhar(self.n, max(900, self.n / 200))
        m = _medidas(amostras, inicio, self.n, self.primeiros)
        assert self.worker is not None
        m["memoria_pico_mb_ao_fim_da_carga"] = round(_rss_pico_mb(self.worker.pid), 1)
        self.r["streams"] = m
        taxa_k = m[f"primeiros_{self.primeiros}_eventos_por_s"]
        console.print(
            f"streams: primeira mensagem {m['inicio_ate_primeira_s']:.1f} s após o início; "
            f"{taxa_k:,.0f} eventos/s nos primeiros {self.primeiros:,d}, "
            f"{m['total_eventos_por_s']:,.0f} eventos/s em todos os {self.n:,d} "
            f"(sustentado 10→90 %: {m['sustentado_10_90_eventos_por_s']:,.0f})"
        )
        console.print(
            f"  taxa em {self.n:,d} / taxa nos primeiros {self.primeiros:,d}: "
            f"{m['total_eventos_por_s'] / taxa_k:.3f}"
        )
        razoes: dict[str, float] = {}
        if "consumidor_simples_eventos_por_s" in self.r:
            razoes["sobre_consumidor_simples"] = (
                m["total_eventos_por_s"] / self.r["consumidor_simples_eventos_por_s"]
            )
        if "faust_vazio" in self.r:
            razoes["sobre_faust_vazio"] = (
                m["total_eventos_por_s"] / self.r["faust_vazio"]["total_eventos_por_s"]
            )
        for nome, razao in razoes.items():
            console.print(f"  razão {nome.replace('_', ' ')}: {razao:.3f}")
        self.r["razoes"] = {k: round(v, 4) for k, v in razoes.items()}
        esperado = self.carga.esperado()
        for tentativa in range(4):  # the last batch's outputs may still be in the producer
            time.sleep(1 + 2 * tentativa)
            erradas, lidos = _conferir(self.kafka, esperado)
            if not erradas:
                break
        self.r["correcao"] = {"nups": len(esperado), "versao_divergente": erradas, "snapshots_lidos": lidos}
        console.print(
            f"  correção: {erradas:,d} de {len(esperado):,d} NUPs com versão divergente "
            "no snapshot mais novo "
            f"({lidos:,d} snapshots lidos)"
        )

    def cauda(self) -> None:
        tempos: dict[str, float] = {}
        for nome, mensagens in (
            ("curtos", self.carga.novos_curtos(K_CAUDA)),
            ("longo", self.carga.no_longo(K_CAUDA)),
        ):
            base = self.contagem()
            inicio = time.perf_counter()
            self.produzir(mensagens)
            t, _ = _quando(self.acompanhar(base + K_CAUDA, 300), base + K_CAUDA)
            tempos[nome] = t - inicio
        curto_ms, longo_ms = (1000 * tempos[k] / K_CAUDA for k in ("curtos", "longo"))
        self.r["cauda"] = {
            "k": K_CAUDA,
            "processo_longo_eventos_antes": self.carga.longo.tamanho - K_CAUDA,
            "curtos_s": round(tempos["curtos"], 2),
            "longo_s": round(tempos["longo"], 2),
            "ms_por_evento_curto": round(curto_ms, 4),
            "ms_por_evento_longo": round(longo_ms, 4),
            "razao_longo_sobre_curto": round(longo_ms / curto_ms, 3),
        }
        console.print(
            f"cauda: {K_CAUDA:,d} eventos de processos curtos (8 eventos) em {tempos['curtos']:.2f} s = "
            f"{curto_ms:.3f} ms/evento; {K_CAUDA:,d} no processo de "
            f"{self.carga.longo.tamanho - K_CAUDA:,d} eventos em {tempos['longo']:.2f} s = "
            f"{longo_ms:.3f} ms/evento "
            f"(razão {longo_ms / curto_ms:.2f})"
        )

    def reinicio(self) -> None:
        assert self.worker is not None
        self.r["memoria_pico_mb"] = round(_rss_pico_mb(self.worker.pid), 1)
        console.print(f"memória de pico do worker (VmHWM): {self.r['memoria_pico_mb']:.0f} MB")
        if self.args.perfil:
            _parar(self.worker)  # SIGTERM: pyinstrument writes the profile on exit
            console.print("  (--perfil: o worker parou com SIGTERM, não SIGKILL)")
        else:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait()
        primeira, snapshot = self._reiniciar()
        self.r["reinicio"] = {
            "ate_contador_1_s": round(primeira, 2),
            "ate_snapshot_do_evento_s": round(snapshot, 2),
        }
        console.print(
            f"reinício após SIGKILL com todo o estado: contador em 1 aos {primeira:.1f} s, "
            f"snapshot do evento novo aos {snapshot:.1f} s"
        )
        # Static membership: a worker under PROTOCOLO_STREAMS_INSTANCIA, killed and started again
        # under the same id; only the second start is timed. The dynamic worker stops cleanly first
        # (it leaves the group): on the local broker, a static member that joins a group whose
        # dynamic leader was killed is never made leader and rejoins forever (measured; real Kafka
        # expires the dead member and goes on).
        _parar(self.worker)
        self._reiniciar(instancia="bench-{nome}")
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()
        primeira, snapshot = self._reiniciar(instancia="bench-{nome}")
        self.r["reinicio_membro_estatico"] = {
            "ate_contador_1_s": round(primeira, 2),
            "ate_snapshot_do_evento_s": round(snapshot, 2),
        }
        console.print(
            f"  com PROTOCOLO_STREAMS_INSTANCIA (membro estático): contador em 1 aos {primeira:.1f} s, "
            f"snapshot do evento novo aos {snapshot:.1f} s"
        )

    def _reiniciar(self, instancia: str = "") -> tuple[float, float]:
        """Start a worker on the killed one's state, publish one new event: seconds from the start to
        the counter's first message and to that event's snapshot."""
        nup, mensagem = self.carga.um_novo()
        leitor = make_consumer(self.kafka, f"bench-reinicio-{time.time_ns()}")
        topico = self.kafka.topics.processos
        particoes = leitor.list_topics(topico, timeout=10).topics[topico].partitions
        desde = int(time.time() * 1000) - 1000
        leitor.assign(
            leitor.offsets_for_times([TopicPartition(topico, p, desde) for p in particoes], timeout=10)
        )
        inicio = self.iniciar_worker(perfil=False, instancia=instancia)
        self.produzir([mensagem])
        primeira: float | None = None
        snapshot: float | None = None
        limite = time.monotonic() + 180
        assert self.worker is not None
        while (primeira is None or snapshot is None) and time.monotonic() < limite:
            if primeira is None and self.contagem() >= 1:
                primeira = time.perf_counter()
            for m in leitor.consume(num_messages=500, timeout=0.1):
                if snapshot is None and m.error() is None and m.key() == nup.encode():
                    snapshot = time.perf_counter()
            assert self.worker.poll() is None, "o worker reiniciado terminou"
        leitor.close()
        assert primeira is not None and snapshot is not None, "o worker reiniciado não produziu no prazo"
        return primeira - inicio, snapshot - inicio

    def latencia(self) -> None:
        self._pular_backlog_do_indexador()
        log = self.logs / "indexer.log"
        indexador = _lancar([sys.executable, "-m", "indexer"], self.env(), log)
        self.filhos.append(indexador)
        es = make_search(self.settings.search)
        alias = self.settings.search.alias("movimentos")
        self.r["latencia"] = {"nota": "osmem torna os documentos visíveis sem intervalo de refresh"}
        aquecer = self._medir_latencia(es, alias, taxa=5, segundos=1, prazo_s=120, processo=indexador)
        console.print(f"latência publicação→busca (indexador pronto; aquecimento {len(aquecer[0])} eventos):")
        for taxa in (200, 500):
            vistos, perdidos = self._medir_latencia(
                es, alias, taxa=taxa, segundos=20, prazo_s=60, processo=indexador
            )
            p50, p99 = _percentil(vistos, 0.5), _percentil(vistos, 0.99)
            self.r["latencia"][f"{taxa}_por_s"] = {
                "eventos": len(vistos) + perdidos,
                "p50_s": round(p50, 3),
                "p99_s": round(p99, 3),
                "nao_encontrados": perdidos,
            }
            console.print(
                f"  {taxa} eventos/s: p50 {p50:.2f} s, p99 {p99:.2f} s ({perdidos} não encontrados)"
            )
        console.print(
            "  (osmem torna os documentos visíveis sem intervalo de refresh; o Elasticsearch teria um)"
        )

    def _pular_backlog_do_indexador(self) -> None:
        """Commit the indexer's group at the outputs' current ends: it indexes only what comes next."""
        consumer = make_consumer(self.kafka, self.kafka.group("indexer"))
        ofs = []
        for topico in (self.kafka.topics.processos, self.kafka.topics.movimentos):
            for p in consumer.list_topics(topico, timeout=10).topics[topico].partitions:
                _baixo, alto = consumer.get_watermark_offsets(
                    TopicPartition(topico, p), timeout=10, cached=False
                )
                ofs.append(TopicPartition(topico, p, alto))
        consumer.commit(offsets=ofs, asynchronous=False)
        consumer.close()

    def _medir_latencia(
        self,
        es: Any,
        alias: str,
        *,
        taxa: int,
        segundos: float,
        prazo_s: float,
        processo: subprocess.Popen[bytes],
    ) -> tuple[list[float], int]:
        producer = make_producer(self.kafka)
        topico = self.kafka.topics.eventos
        total = int(taxa * segundos)
        publicados: dict[str, float] = {}
        latencias: list[float] = []
        inicio = time.perf_counter()
        enviados = 0
        limite = inicio + segundos + prazo_s
        while (enviados < total or publicados) and time.perf_counter() < limite:
            devidos = min(total, int((time.perf_counter() - inicio) * taxa) + 1)
            while enviados < devidos:
                mid, (chave, valor) = self.carga.movimento()
                producer.produce(topico, key=chave, value=valor)
                publicados[mid] = time.perf_counter()
                enviados += 1
            producer.poll(0)
            pendentes = sorted(publicados, key=publicados.__getitem__)[:500]
            if pendentes:
                resposta = es.mget(index=alias, ids=pendentes, source=False)
                agora = time.perf_counter()
                for doc in resposta.body["docs"]:
                    if doc.get("found"):
                        latencias.append(agora - publicados.pop(doc["_id"]))
            if processo.poll() is not None:
                raise SystemExit(f"o indexador terminou; veja {self.logs / 'indexer.log'}")
            time.sleep(0.02)
        producer.flush(30)
        return latencias, len(publicados)

    def executar(self, fases: list[str]) -> None:
        self.carregar()
        acoes: dict[str, Callable[[], None]] = {
            "consumidor": self.consumidor,
            "faust": self.faust,
            "streams": self.streams,
            "cauda": self.cauda,
            "reinicio": self.reinicio,
            "latencia": self.latencia,
        }
        for fase in FASES:
            if fase in fases:
                acoes[fase]()
        if "memoria_pico_mb" not in self.r and self.worker is not None and self.worker.poll() is None:
            self.r["memoria_pico_mb"] = round(_rss_pico_mb(self.worker.pid), 1)
        self.r["fases"] = fases
        gravar_resultados(
            self.args.resultados,
            {"quando": datetime.now(UTC).isoformat(timespec="seconds"), **self.r},
            console,
        )

    def parar(self) -> None:
        for processo in reversed(self.filhos):
            _parar(processo)
        if self.args.perfil and self.perfil.exists():
            console.print(f"perfil em {self.perfil}")
        self.stack.parar()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eventos", type=int, default=1_000_000)
    parser.add_argument(
        "--fases",
        default=",".join(FASES),
        help=f"fases separadas por vírgula, entre {', '.join(FASES)} "
        "(cauda, reinicio e latencia incluem streams)",
    )
    parser.add_argument("--perfil", action="store_true", help="run the first worker under pyinstrument")
    parser.add_argument("--resultados", type=Path, default=RESULTADOS, help="where the figures go (JSON)")
    args = parser.parse_args()
    fases = [f.strip() for f in args.fases.split(",") if f.strip()]
    desconhecidas = set(fases) - set(FASES)
    if desconhecidas:
        parser.error(f"fases desconhecidas: {', '.join(sorted(desconhecidas))}")
    if set(fases) & {"cauda", "reinicio", "latencia"} and "streams" not in fases:
        fases.append("streams")
    if args.eventos < 1_000:
        parser.error("--eventos deve ser pelo menos 1000")
    bench = Bench(args)
    try:
        bench.executar(fases)
    finally:
        bench.parar()


if __name__ == "__main__":
    main()
