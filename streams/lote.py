"""One batch of the stream stage, as a pure function: messages in; table writes, records, dead
letters and counts out. The Faust agent (streams.app) only reads the tables it is handed and
performs what this returns.

Per message, in the order of its partition:
  decode + validate      invalid, corrupt or unknown-schema messages become dead letters
  route by NUP           an event read from another partition than its NUP's is re-keyed
  deduplicate            by identity (orgao, id) against its content fingerprint: a new event is
                         folded, an exact resend counted, the same identity with other content
                         is a CONFLITO dead letter
  fold                   the processo's bounded state advances by one event (protocolo.fold)
  archive                the event's raw bytes under (nup, n), n = its versao: read back only when
                         a processo becomes public again and its withheld movimentos go out
Per batch: each changed processo's state and snapshot is written once, with its newest state.

A resend re-emits its movimento and its processo's snapshot (at-least-once: a crash may have hit
after the tables were written and before the outputs were); downstream sinks are idempotent. With
exactly-once (real Kafka), resends are only counted.

Replays after a crash. The tables' changelogs are written by one producer flush, and a worker killed
during it may leave the identity written and the state not, or the reverse. So each identity
remembers the message (topic, offset) that brought it, and each state the offset of the last message
folded into it, per source topic. A message is already in its processo's state exactly when its
offset is at or below that mark; a resend is another message with a known identity.
"""

from __future__ import annotations

__all__ = [
    "Contexto",
    "Entrada",
    "Lote",
    "Saida",
    "Tabelas",
    "carta",
    "chave_arquivo",
    "particao_do_nup",
    "processar_lote",
]

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from protocolo.avro import Catalogo
from protocolo.chaveiro import Segredo
from protocolo.entrada import Entrada
from protocolo.fold import Processo, avancar
from protocolo.impressao import impressao_mensagem
from protocolo.model import Evento
from protocolo.particao import particao_da_chave
from protocolo.referencia import Referencia
from streams.estado import estado_de_bytes, estado_para_bytes
from streams.intake import Rejeicao, dead_letter, ler_evento
from streams.projection import eh_publico, movimento_record, snapshot_record

MARGEM = 8_192  # room in a record for everything around a message's original bytes


@dataclass(frozen=True)
class Tabelas:
    """Read views of the worker's tables (for the batch's partition)."""

    estados: Mapping[str, bytes]  # nup -> processo state (streams.estado)
    identidades: Mapping[str, bytes]  # "orgao:id" -> content fingerprint + the message that brought it
    arquivo: Mapping[str, bytes]  # chave_arquivo(nup, n) -> the raw event message


@dataclass(frozen=True)
class Contexto:
    """Everything a batch needs besides its messages and tables."""

    catalogo: Catalogo
    referencia: Referencia
    segredo: Segredo
    restrito_publico: bool
    particoes: int
    exactly_once: bool = False
    limite_registro: int = 1_000_000  # bytes a produced record may have (the producer's limit)


class Saida(NamedTuple):
    """One output record and the message that produced it (named by its dead letter if refused)."""

    chave: bytes
    valor: bytes
    origem: Entrada


@dataclass
class Lote:
    """What one batch does: the writes (each key once) and the records to produce, in order."""

    estados: dict[str, bytes] = field(default_factory=dict)
    identidades: dict[str, bytes] = field(default_factory=dict)
    arquivo: dict[str, bytes] = field(default_factory=dict)
    processos: list[Saida] = field(default_factory=list)
    movimentos: list[Saida] = field(default_factory=list)
    dlq: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    redirecionar: list[tuple[bytes, bytes, int]] = field(default_factory=list)  # key, value, partition
    contagens: Counter[str] = field(default_factory=Counter)
    por_orgao: Counter[str] = field(default_factory=Counter)
    dlq_por_codigo: Counter[str] = field(default_factory=Counter)
    latencias: list[float] = field(default_factory=list)
    desconhecidos: set[str] = field(default_factory=set)
    rejeicoes: list[tuple[Rejeicao, Entrada]] = field(default_factory=list)


def chave_arquivo(nup: str, n: int) -> str:
    """The archive key of a processo's n-th distinct event (1-based)."""
    return f"{nup}#{n}"


def particao_do_nup(chave: bytes, particoes: int) -> int:
    """The partition Kafka's default (murmur2) partitioner gives `chave`: Java, librdkafka's
    murmur2_random and aiokafka agree on it."""
    return particao_da_chave(chave, particoes)


def carta(rejeicao: Rejeicao, entrada: Entrada, ctx: Contexto) -> bytes:
    """The encoded dead letter of a message, its original bytes left out (and said so) when they
    would not fit a record: the letter names where to read them."""
    valor = entrada.valor
    motivo = rejeicao.motivo
    if valor is not None and len(valor) > ctx.limite_registro - MARGEM:
        motivo += f" (mensagem original de {len(valor)} bytes omitida; leia-a na origem indicada)"
        valor = None
    registro = dead_letter(
        Rejeicao(rejeicao.codigo, motivo, rejeicao.violacoes),
        topico=entrada.topico,
        particao=entrada.particao,
        offset=entrada.offset,
        chave=entrada.chave,
        valor=valor,
    )
    return ctx.catalogo.encode("dead_letter", registro)


class _Passo:
    """A batch in progress: the states it changed, read through to the tables."""

    def __init__(self, tabelas: Tabelas, ctx: Contexto, agora: float) -> None:
        self.tabelas = tabelas
        self.ctx = ctx
        self.agora = agora
        self.lote = Lote()
        self.processos: dict[str, Processo] = {}
        self.offsets: dict[str, dict[str, int]] = {}  # nup -> source topic -> last offset folded in
        self.tamanhos: dict[str, int] = {}  # nup -> an upper bound of its stored state's size
        self.sujos: dict[str, Entrada] = {}  # nup -> the last message that changed or resent it

    def estado(self, nup: str) -> Processo | None:
        processo = self.processos.get(nup)
        if processo is None:
            dados = self.tabelas.estados.get(nup)
            if dados is not None:
                processo, self.offsets[nup] = estado_de_bytes(dados)
                self.processos[nup] = processo
                self.tamanhos[nup] = len(dados)
        return processo

    def ja_aplicada(self, nup: str, entrada: Entrada) -> bool:
        """Whether the processo's state already holds this very message (a replay)."""
        return entrada.offset <= self.offsets.get(nup, {}).get(entrada.topico, -1)

    def identidade(self, chave: str) -> bytes | None:
        vista = self.lote.identidades.get(chave)
        return vista if vista is not None else self.tabelas.identidades.get(chave)

    def arquivado(self, chave: str) -> bytes | None:
        valor = self.lote.arquivo.get(chave)
        return valor if valor is not None else self.tabelas.arquivo.get(chave)

    def rejeitar(self, rejeicao: Rejeicao, entrada: Entrada) -> None:
        """Queue a dead letter for `entrada`."""
        self.lote.dlq.append((entrada.chave, carta(rejeicao, entrada, self.ctx)))
        self.lote.dlq_por_codigo[rejeicao.codigo] += 1
        self.lote.rejeicoes.append((rejeicao, entrada))

    def produzir(self, destino: list[Saida], chave: bytes, valor: bytes, entrada: Entrada) -> None:
        """Queue one output record, or a dead letter when it is too large to produce."""
        if len(valor) + len(chave) > self.ctx.limite_registro:
            motivo = f"registro de saída com {len(valor)} bytes excede o limite de {self.ctx.limite_registro}"
            self.rejeitar(Rejeicao("REGISTRO_GRANDE_DEMAIS", motivo), entrada)
            return
        destino.append(Saida(chave, valor, entrada))

    def movimento(self, evento: Evento, processo: Processo, entrada: Entrada) -> None:
        registro = movimento_record(
            evento, processo, self.ctx.referencia, desconhecidos=self.lote.desconhecidos
        )
        valor = self.ctx.catalogo.encode("movimento", registro)
        self.produzir(self.lote.movimentos, evento.nup.encode(), valor, entrada)

    def republicar(self, processo: Processo, entrada: Entrada) -> None:
        """Every archived event of a processo that just became public goes out as a movimento."""
        for n in range(1, processo.versao + 1):
            bruto = self.arquivado(chave_arquivo(processo.nup, n))
            if bruto is None:
                continue  # archived by an older version of the streams, which kept no archive
            evento = ler_evento(self.ctx.catalogo, bruto)
            if isinstance(evento, Evento):
                self.movimento(evento, processo, entrada)

    def aplicar(self, entrada: Entrada) -> None:
        ctx, lote = self.ctx, self.lote
        lote.contagens["mensagens"] += 1
        resultado = ler_evento(ctx.catalogo, entrada.valor)
        if isinstance(resultado, Rejeicao):
            self.rejeitar(resultado, entrada)
            return
        evento = resultado
        chave = evento.nup.encode()
        destino = particao_do_nup(chave, ctx.particoes)
        if entrada.particao != destino:
            lote.contagens["redirecionados"] += 1
            lote.redirecionar.append((chave, entrada.valor or b"", destino))
            return
        lote.por_orgao[evento.orgao] += 1
        lote.latencias.append(max(0.0, self.agora - entrada.carimbo))
        identidade = evento.chave_identidade
        digest = impressao_mensagem(ctx.catalogo, entrada.valor or b"", evento)
        origem = f"{entrada.topico}@{entrada.offset}".encode()
        visto = self.identidade(identidade)
        anterior = self.estado(evento.nup)
        ja_aplicada = anterior is not None and self.ja_aplicada(evento.nup, entrada)
        if visto is not None and visto[16:] != origem:  # another message with a known identity
            if visto[:16] != digest:
                lote.contagens["conflitos"] += 1
                motivo = f"evento {identidade} reenviado com conteúdo diferente"
                self.rejeitar(Rejeicao("CONFLITO", motivo), entrada)
                return
            self.reenvio(evento, anterior, entrada)
            return
        if ja_aplicada:  # a replay whose state was written: repair the identity, re-emit
            lote.identidades[identidade] = digest + origem
            self.reenvio(evento, anterior, entrada)
            return
        if entrada.valor is not None and len(entrada.valor) > ctx.limite_registro - MARGEM:
            # Its archive copy would not fit a changelog record: never stop the partition for it.
            motivo = f"evento de {len(entrada.valor)} bytes grande demais para o arquivo do processo"
            self.rejeitar(Rejeicao("REGISTRO_GRANDE_DEMAIS", motivo), entrada)
            return
        processo = avancar(anterior, evento)
        if not self.cabe(processo, entrada):
            motivo = "o estado do processo passaria do limite de um registro com este evento"
            self.rejeitar(Rejeicao("REGISTRO_GRANDE_DEMAIS", motivo), entrada)
            return
        lote.contagens["novos"] += 1
        self.processos[evento.nup] = processo
        self.offsets.setdefault(evento.nup, {})[entrada.topico] = entrada.offset
        self.sujos[evento.nup] = entrada
        lote.identidades[identidade] = digest + origem
        lote.arquivo[chave_arquivo(evento.nup, processo.versao)] = entrada.valor or b""
        if not eh_publico(processo.nivel_acesso, restrito_publico=ctx.restrito_publico):
            return
        if anterior is not None and not eh_publico(
            anterior.nivel_acesso, restrito_publico=ctx.restrito_publico
        ):
            self.republicar(processo, entrada)
        else:
            self.movimento(evento, processo, entrada)

    def cabe(self, processo: Processo, entrada: Entrada) -> bool:
        """Whether the state stays under the record limit. An event adds at most a few times its own
        size to the state, so the state is serialised to check only when that bound says it may not."""
        estimado = self.tamanhos.get(processo.nup, 0) + 3 * len(entrada.valor or b"") + 256
        if estimado > self.ctx.limite_registro - MARGEM:
            estimado = len(estado_para_bytes(processo, self.offsets.get(processo.nup, {})))
            if estimado > self.ctx.limite_registro - MARGEM:
                return False
        self.tamanhos[processo.nup] = estimado
        return True

    def reenvio(self, evento: Evento, processo: Processo | None, entrada: Entrada) -> None:
        """An event already folded in: counted; re-emitted unless transactions make that needless."""
        self.lote.contagens["duplicados"] += 1
        if self.ctx.exactly_once or processo is None:
            return
        self.sujos.setdefault(evento.nup, entrada)
        if eh_publico(processo.nivel_acesso, restrito_publico=self.ctx.restrito_publico):
            self.movimento(evento, processo, entrada)

    def fechar(self) -> Lote:
        """Each changed processo once: its state and its newest snapshot."""
        lote, ctx = self.lote, self.ctx
        for nup, entrada in self.sujos.items():
            processo = self.processos[nup]
            lote.estados[nup] = estado_para_bytes(processo, self.offsets.get(nup, {}))
            snapshot = snapshot_record(
                processo,
                ctx.referencia,
                segredo=ctx.segredo,
                restrito_publico=ctx.restrito_publico,
                desconhecidos=lote.desconhecidos,
            )
            valor = ctx.catalogo.encode("processo", snapshot)
            self.produzir(lote.processos, nup.encode(), valor, entrada)
        return lote


def processar_lote(entradas: list[Entrada], tabelas: Tabelas, ctx: Contexto, *, agora: float) -> Lote:
    """Run one batch of one partition (messages in partition order) against its tables."""
    passo = _Passo(tabelas, ctx, agora)
    for entrada in entradas:
        passo.aplicar(entrada)
    return passo.fechar()
