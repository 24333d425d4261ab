"""`make_search` built from an `https://` URL with `PROTOCOLO_SEARCH_CA_CERTS` (and a user and password),
on the real search server reached only over TLS (tests/fixtures/busca_tls.py)."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from elastic_transport import TlsError

from protocolo.search import make_search
from tests.fixtures.busca_tls import BuscaTls
from tests.fixtures.tls import Certificado


def test_a_client_with_the_ca_file_indexes_and_searches_over_tls(busca_tls: BuscaTls) -> None:
    settings = busca_tls.settings(username="protocolo", password="s3nha-da-busca")
    indice = f"tls-{uuid.uuid4().hex[:8]}"
    inicio = len(busca_tls.proxy.recebido)
    es = make_search(settings)
    try:
        es.index(
            index=indice, id="1", document={"nup": "23037000001202411", "assunto": "licença"}, refresh=True
        )
        resposta = es.search(index=indice, query={"match": {"assunto": "licença"}})
    finally:
        es.close()

    assert [h["_id"] for h in resposta["hits"]["hits"]] == ["1"]
    pedidos = b"".join(busca_tls.proxy.recebido[inicio:])
    credenciais = base64.b64encode(b"protocolo:s3nha-da-busca")
    assert re.search(rb"(?im)^authorization: basic " + re.escape(credenciais), pedidos)  # sent inside TLS


def test_a_server_certificate_from_an_untrusted_ca_fails_with_a_tls_error(
    busca_tls: BuscaTls, outro_certificado: Certificado
) -> None:
    settings = busca_tls.settings(ca_certs=outro_certificado.cert, request_timeout_s=2)
    sessoes_antes = busca_tls.proxy.handshakes
    es = make_search(settings)
    try:
        with pytest.raises(TlsError, match="CERTIFICATE_VERIFY_FAILED"):
            es.info()
    finally:
        es.close()
    assert busca_tls.proxy.handshakes == sessoes_antes  # no TLS session, so no request, reached the server
