"""Portuguese vocabulary for simulated traffic: assuntos, espécies, names, companies, observações. Pure."""

from __future__ import annotations

__all__ = [
    "ASSUNTOS",
    "ASSUNTOS_POR_ORGAO",
    "ESPECIES",
    "ESPECIES_DOCUMENTO",
    "OBSERVACOES",
    "OPERACOES_DESCONHECIDAS",
    "gerar_nome_empresa",
    "gerar_nome_pessoa",
]

import random

ASSUNTOS: tuple[str, ...] = (
    "Solicitação de aposentadoria por tempo de contribuição",
    "Pedido de licença para capacitação",
    "Licitação para aquisição de material de escritório",
    "Recurso administrativo contra auto de infração ambiental",
    "Concessão de diárias e passagens",
    "Pedido de acesso à informação (Lei nº 12.527/2011)",
    "Pagamento de adicional de insalubridade",
    "Contratação de serviços de limpeza e conservação",
    "Reembolso de despesas médicas",
    "Solicitação de remoção a pedido",
    "Averbação de tempo de serviço",
    "Pedido de abono de permanência",
    "Apuração de responsabilidade em sindicância",
    "Processo administrativo disciplinar",
    "Prorrogação de contrato de prestação de serviços",
    "Aditivo contratual de acréscimo de valor",
    "Pagamento de auxílio-transporte",
    "Cessão de servidor a outro órgão",
    "Solicitação de horário especial para servidor estudante",
    "Pedido de revisão de benefício",
    "Termo de cooperação técnica com município",
    "Convênio para reforma de escola pública",
    "Reconhecimento de dívida de exercícios anteriores",
    "Aquisição de equipamentos de informática",
    "Denúncia encaminhada pela Ouvidoria",
    "Manifestação sobre projeto de lei",
    "Pedido de vista de processo",
    "Cobrança administrativa de débito",
    "Restituição de valores recolhidos indevidamente",
    "Nomeação de candidato aprovado em concurso público",
    "Exoneração a pedido",
    "Concessão de pensão por morte",
    "Ressarcimento ao erário",
    "Inscrição em dívida ativa",
    "Solicitação de teletrabalho",
)

ASSUNTOS_POR_ORGAO: dict[str, tuple[str, ...]] = {
    "INSS": (
        "Requerimento de benefício de prestação continuada (BPC/LOAS)",
        "Solicitação de aposentadoria por idade",
        "Recurso contra indeferimento de auxílio por incapacidade temporária",
        "Revisão de renda mensal inicial",
        "Emissão de certidão de tempo de contribuição",
    ),
    "IBAMA": (
        "Recurso administrativo contra auto de infração ambiental",
        "Licenciamento ambiental de empreendimento rodoviário",
        "Autorização de supressão de vegetação",
        "Conversão de multa ambiental em serviços de preservação",
        "Defesa contra termo de embargo",
    ),
    "UFPE": (
        "Revalidação de diploma estrangeiro",
        "Solicitação de trancamento de matrícula",
        "Progressão funcional de docente",
        "Afastamento para pós-doutorado no exterior",
        "Colação de grau em separado",
    ),
    "MEC": (
        "Credenciamento de instituição de ensino superior",
        "Reconhecimento de curso de graduação",
        "Repasse do Programa Dinheiro Direto na Escola",
    ),
    "MS": (
        "Habilitação de leitos de UTI",
        "Incorporação de medicamento ao SUS",
        "Repasse fundo a fundo para atenção básica",
    ),
    "MJSP": (
        "Pedido de naturalização",
        "Reclamação de consumidor contra operadora de telefonia",
        "Classificação indicativa de obra audiovisual",
    ),
    "AGU": (
        "Parecer sobre minuta de edital",
        "Acordo em ação judicial trabalhista",
        "Consulta sobre aplicação da Lei nº 14.133/2021",
    ),
}

ESPECIES: tuple[str, ...] = (
    "Requerimento",
    "Ofício",
    "Memorando",
    "Processo administrativo",
    "Recurso",
    "Denúncia",
    "Solicitação",
    "Pedido de informação",
    "Licitação",
    "Contrato",
)

ESPECIES_DOCUMENTO: tuple[str, ...] = ("Ofício", "Memorando", "Nota técnica", "Despacho", "Parecer")

OBSERVACOES: tuple[str, ...] = (
    "Para análise e manifestação.",
    "Encaminha-se para providências.",
    "Ciente. Arquive-se.",
    "Para conhecimento e demais providências cabíveis.",
    "Solicita-se parecer jurídico sobre a matéria.",
    "Documentação complementar anexada pelo interessado.",
    "Retorna-se para instrução processual.",
    "Aguardando manifestação da área técnica.",
    "Urgente: prazo judicial em curso.",
    "Encaminhado conforme despacho do Gabinete.",
)

# What agencies' systems sometimes write instead of a contract operação.
# fmt: off
OPERACOES_DESCONHECIDAS: tuple[str, ...] = ("REMESSA", "DESPACHO", "TRAMITE", "ENCAMINHAMENTO", "DISTRIBUIR")

_PRENOMES_FEMININOS = (
    "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline",
    "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana",
    "Gabriela", "Vera", "Vitória", "Larissa", "Cláudia", "Beatriz", "Rita", "Luana", "Sônia", "Renata",
    "Eliane", "Josefa", "Iracema", "Benedita", "Conceição", "Tereza", "Raquel", "Débora",
)
_PRENOMES_MASCULINOS = (
    "José", "João", "Antônio", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Luís", "Gabriel",
    "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Sebastião",
    "Joaquim", "Severino", "Thiago", "Matheus", "Leonardo", "Gustavo", "Igor", "Wellington", "Edivaldo",
    "Cícero", "Francisco", "Manoel", "Fábio", "Ricardo", "André",
)
_MEIO_FEMININOS = ("Aparecida", "de Fátima", "Cristina", "das Graças", "Helena", "Luísa")
_MEIO_MASCULINOS = ("Eduardo", "Henrique", "Carlos", "Luiz", "Augusto", "de Jesus")
_SOBRENOMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira",
    "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes",
    "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Cavalcanti", "Albuquerque",
    "Monteiro", "Correia", "Batista", "Farias", "Bezerra", "Queiroz", "Barros", "Pinheiro", "Moura", "Cunha",
    "Xavier", "Tavares", "Brandão", "Sampaio", "Siqueira", "Lacerda", "Nogueira",
)
_RAMOS = (
    "Construtora", "Comercial", "Distribuidora", "Transportadora", "Indústria de Alimentos", "Agropecuária",
    "Serviços Gerais", "Tecnologia", "Engenharia", "Consultoria", "Mineração", "Laboratório", "Papelaria",
)
_FANTASIAS = (
    "Horizonte", "Boa Vista", "Santa Luzia", "Nordeste", "Capibaribe", "Planalto", "Aurora", "Tropical",
    "São Francisco", "Atlântico", "Pioneira", "Ipê Amarelo", "Serra Azul", "Vale Verde", "Estrela do Sul",
)
_SUFIXOS = ("Ltda", "Ltda", "Ltda", "S.A.", "EIRELI", "ME")
# fmt: on


def gerar_nome_pessoa(rng: random.Random) -> str:
    """A plausible Brazilian full name: prenome, sometimes a middle name, one or two surnames."""
    feminino = rng.random() < 0.5
    partes = [rng.choice(_PRENOMES_FEMININOS if feminino else _PRENOMES_MASCULINOS)]
    if rng.random() < 0.3:
        partes.append(rng.choice(_MEIO_FEMININOS if feminino else _MEIO_MASCULINOS))
    partes.extend(rng.sample(_SOBRENOMES, rng.choice((1, 2, 2))))
    return " ".join(partes)


def gerar_nome_empresa(rng: random.Random) -> str:
    """A plausible company name, e.g. "Construtora Horizonte Ltda"."""
    return f"{rng.choice(_RAMOS)} {rng.choice(_FANTASIAS)} {rng.choice(_SUFIXOS)}"
