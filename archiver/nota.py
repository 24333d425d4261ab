"""Checkpoints as C2SP signed notes (tlog-checkpoint over signed-note), Ed25519 keys (pure).

A checkpoint's text is three lines: the origin, the tree size in decimal, the base64 root hash. The
note is that text, a blank line, and one line per signature: "— <name> <base64(key id || sig)>",
the signature over the text (with its final newline), the key id the first 4 bytes of
SHA-256(name || 0x0A || 0x01 || public key). Keys are written as Go's note package writes them:
verifier "<name>+<key id hex>+<base64(0x01 || public key)>", signer "PRIVATE+KEY+<name>+<key id
hex>+<base64(0x01 || seed)>".
"""

from __future__ import annotations

__all__ = [
    "Assinante",
    "Checkpoint",
    "Verificador",
    "abrir_nota",
    "assinar_nota",
    "gerar_assinante",
]

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocolo.errors import InvalidNote

_ED25519 = b"\x01"
_TRAVESSAO = "\u2014"


def _id_chave(nome: str, publica: bytes) -> bytes:
    return hashlib.sha256(nome.encode() + b"\n" + _ED25519 + publica).digest()[:4]


def _nome_valido(nome: str) -> str:
    if not nome or any(c in nome for c in " +\n") or not nome.isprintable():
        raise InvalidNote(f"nome de chave inválido: {nome!r} (sem espaços nem '+')")
    return nome


def _chave_ed25519(texto: str, o_que: str) -> bytes:
    """The 32 key bytes of base64(0x01 || key)."""
    bruta = _b64(texto, o_que)
    if len(bruta) != 33 or bruta[:1] != _ED25519:
        raise InvalidNote(f"{o_que}: não é uma chave Ed25519")
    return bruta[1:]


def _b64(texto: str, o_que: str) -> bytes:
    try:
        return base64.b64decode(texto, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidNote(f"{o_que}: base64 inválido") from exc


@dataclass(frozen=True)
class Verificador:
    """A public key with its name: checks signature lines."""

    nome: str
    publica: bytes

    @property
    def id(self) -> bytes:
        return _id_chave(self.nome, self.publica)

    def texto(self) -> str:
        """The verifier key string auditors are given."""
        return f"{self.nome}+{self.id.hex()}+{base64.b64encode(_ED25519 + self.publica).decode()}"

    @classmethod
    def ler(cls, texto: str) -> Verificador:
        """Parse a verifier key string; raises InvalidNote."""
        partes = texto.strip().split("+", 2)  # base64 may hold '+' too
        if len(partes) != 3:
            raise InvalidNote("chave pública: esperado <nome>+<id>+<chave>")
        nome, id_hex, chave = partes
        verificador = cls(_nome_valido(nome), _chave_ed25519(chave, "chave pública"))
        if verificador.id.hex() != id_hex.lower():
            raise InvalidNote("chave pública: o id não corresponde à chave")
        return verificador

    def confere(self, texto: bytes, assinatura: bytes) -> bool:
        """Whether `assinatura` is this key's signature of `texto`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.publica).verify(assinatura, texto)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Assinante:
    """A private key with its name: signs notes."""

    nome: str
    semente: bytes

    @property
    def verificador(self) -> Verificador:
        publica = (
            Ed25519PrivateKey.from_private_bytes(self.semente)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return Verificador(self.nome, publica)

    def texto(self) -> str:
        """The signer key string (keep it secret)."""
        id_hex = self.verificador.id.hex()
        return f"PRIVATE+KEY+{self.nome}+{id_hex}+{base64.b64encode(_ED25519 + self.semente).decode()}"

    @classmethod
    def ler(cls, texto: str) -> Assinante:
        """Parse a signer key string; raises InvalidNote."""
        partes = texto.strip().split("+", 4)
        if len(partes) != 5 or partes[:2] != ["PRIVATE", "KEY"]:
            raise InvalidNote("chave privada: esperado PRIVATE+KEY+<nome>+<id>+<chave>")
        assinante = cls(_nome_valido(partes[2]), _chave_ed25519(partes[4], "chave privada"))
        if assinante.verificador.id.hex() != partes[3].lower():
            raise InvalidNote("chave privada: o id não corresponde à chave")
        return assinante

    def assinar(self, texto: bytes) -> bytes:
        """The Ed25519 signature of `texto`."""
        return Ed25519PrivateKey.from_private_bytes(self.semente).sign(texto)


def gerar_assinante(nome: str) -> Assinante:
    """A new random Ed25519 signer called `nome`."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    chave = Ed25519PrivateKey.generate()
    semente = chave.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return Assinante(_nome_valido(nome), semente)


@dataclass(frozen=True)
class Checkpoint:
    """A tree head of the archive: origin, size, root."""

    origem: str
    tamanho: int
    raiz: bytes

    def texto(self) -> str:
        """The checkpoint's note text (three lines, each ending in a newline)."""
        return f"{self.origem}\n{self.tamanho}\n{base64.b64encode(self.raiz).decode()}\n"

    @classmethod
    def ler(cls, texto: str) -> Checkpoint:
        """Parse a checkpoint's note text; raises InvalidNote."""
        linhas = texto.split("\n")
        if len(linhas) < 4 or linhas[-1] != "" or any(not linha for linha in linhas[:-1]):
            raise InvalidNote("checkpoint: esperadas ao menos três linhas não vazias")
        origem, tamanho, raiz = linhas[:3]
        if not tamanho.isdigit() or (tamanho != "0" and tamanho.startswith("0")):
            raise InvalidNote(f"checkpoint: tamanho inválido {tamanho!r}")
        hash_raiz = _b64(raiz, "checkpoint: raiz")
        if len(hash_raiz) != 32:
            raise InvalidNote("checkpoint: a raiz não tem 32 bytes")
        return cls(origem, int(tamanho), hash_raiz)


def assinar_nota(texto: str, assinante: Assinante) -> str:
    """The signed note: the text, a blank line and the signer's signature line."""
    assinatura = assinante.assinar(texto.encode())
    linha = base64.b64encode(assinante.verificador.id + assinatura).decode()
    return f"{texto}\n{_TRAVESSAO} {assinante.nome} {linha}\n"


def abrir_nota(nota: str, verificador: Verificador) -> str:
    """The text of a signed note once `verificador`'s signature on it checks; raises InvalidNote."""
    separador = nota.rfind("\n\n")
    if separador < 0 or not nota.endswith("\n"):
        raise InvalidNote("nota assinada: falta a linha em branco antes das assinaturas")
    texto, assinaturas = nota[: separador + 1], nota[separador + 2 :]
    encontrou = False
    for linha in assinaturas.splitlines():
        partes = linha.split(" ")
        if len(partes) != 3 or partes[0] != _TRAVESSAO:
            raise InvalidNote(f"nota assinada: linha de assinatura malformada {linha!r}")
        if partes[1] != verificador.nome:
            continue
        bruta = _b64(partes[2], "assinatura")
        if len(bruta) != 68 or bruta[:4] != verificador.id:
            continue
        if not verificador.confere(texto.encode(), bruta[4:]):
            raise InvalidNote(f"assinatura inválida de {verificador.nome}")
        encontrou = True
    if not encontrou:
        raise InvalidNote(f"a nota não tem assinatura de {verificador.nome}")
    return texto
