"""The demo network: the communes represented at the first National Assembly of Communes
(Sarare, Simón Planas municipality, Lara, August 2018), loaded by `comuna seed-demo`.

Everything is written through the project's actions (so audit events exist), in one
transaction, from a fixed random generator: loading it on an empty database gives the same
content every time, and loading it again changes nothing. Commune names are real where known
and plausible otherwise; every person is invented (compound surnames that nobody carries, ID
numbers "V-00.xxx.xxx", phones "0000-xxxxxxx").

Calendar dates of the registry (charters, foundations, assessments, links) are fixed. Mandates
are placed relative to the day of loading, so that some end within the warning window and a
couple have already expired on that day.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from comuna.core import actions as core_actions
from comuna.core.management.commands.demo_accounts import DEMO_GROUP, DEMO_PASSWORD
from comuna.core.models import Organisation, OrganisationKind, Person, Role
from comuna.geography import queries as geography_queries
from comuna.geography.models import Parish
from comuna.registry import actions
from comuna.registry.capacity import Indicators, capacity_level
from comuna.registry.models import (
    AggregationKind,
    Body,
    BodyKind,
    CommitteeType,
    CommunalCouncil,
    Commune,
    CommuneStatus,
    CouncilStatus,
    LinkKind,
    Scope,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

SEED = 2018
NETWORK_SLUG = "red-nacional"
NETWORK_NAME = "Red Nacional de Comuneros y Comuneras"
NETWORK_DESCRIPTION = (
    "Red de las comunas representadas en la primera Asamblea Nacional de Comunas (Sarare, "
    "municipio Simón Planas, Lara, agosto de 2018). Red de demostración: las personas son "
    "ficticias."
)
SYSTEM_USERNAME = "sistema"
MAIZAL_SLUG = "el-maizal"
CITY_SLUG = "ciudad-comunal-simon-planas"
ASSESSMENT_DATES = (date(2018, 9, 15), date(2020, 3, 10), date(2022, 6, 20), date(2024, 10, 5))
EXPIRED_MANDATES = 3
ENDING_SOON_SHARE = 0.07


class SeedError(Exception):
    """The seed cannot run on this database; the message says why (for the operator)."""


# Places -------------------------------------------------------------------------------------

# Approximate (longitude, latitude) of the seats of the municipalities used, checked against
# the shipped state outlines; a few parishes of Caracas have their own.
SEATS: dict[tuple[str, str], tuple[float, float]] = {
    ("VE-K", "Simón Planas"): (-69.16, 9.78),
    ("VE-K", "Iribarren"): (-69.32, 10.07),
    ("VE-K", "Palavecino"): (-69.26, 10.03),
    ("VE-K", "Jiménez"): (-69.62, 9.93),
    ("VE-K", "Morán"): (-69.79, 9.79),
    ("VE-K", "Torres"): (-70.08, 10.17),
    ("VE-K", "Crespo"): (-69.17, 10.29),
    ("VE-K", "Urdaneta"): (-69.70, 10.58),
    ("VE-C", "San Fernando"): (-67.47, 7.87),
    ("VE-C", "Achaguas"): (-68.23, 7.78),
    ("VE-C", "Muñoz"): (-69.14, 7.56),
    ("VE-C", "Páez"): (-70.73, 7.24),
    ("VE-C", "Pedro Camejo"): (-67.60, 7.65),
    ("VE-C", "Rómulo Gallegos"): (-69.50, 7.06),
    ("VE-E", "Barinas"): (-70.21, 8.62),
    ("VE-E", "Alberto Arvelo Torrealba"): (-69.93, 8.75),
    ("VE-E", "Bolívar"): (-70.41, 8.76),
    ("VE-E", "Antonio José de Sucre"): (-70.82, 8.23),
    ("VE-E", "Pedraza"): (-70.58, 8.36),
    ("VE-E", "Rojas"): (-69.62, 8.33),
    ("VE-E", "Obispos"): (-70.09, 8.60),
    ("VE-S", "San Cristóbal"): (-72.22, 7.77),
    ("VE-S", "Cárdenas"): (-72.22, 7.82),
    ("VE-S", "Junín"): (-72.36, 7.70),
    ("VE-S", "Jáuregui"): (-71.98, 8.13),
    ("VE-S", "Uribante"): (-71.77, 8.02),
    ("VE-S", "Fernández Feo"): (-71.93, 7.55),
    ("VE-S", "Independencia"): (-72.31, 7.83),
    ("VE-L", "Tovar"): (-71.75, 8.33),
    ("VE-L", "Rangel"): (-70.92, 8.75),
    ("VE-L", "Arzobispo Chacón"): (-71.45, 8.13),
    ("VE-L", "Libertador"): (-71.14, 8.59),
    ("VE-L", "Campo Elías"): (-71.24, 8.55),
    ("VE-L", "Alberto Adriani"): (-71.65, 8.62),
    ("VE-L", "Rivas Dávila"): (-71.83, 8.25),
    ("VE-L", "Santos Marquina"): (-71.07, 8.63),
    ("VE-U", "Veroes"): (-68.55, 10.47),
    ("VE-U", "San Felipe"): (-68.74, 10.34),
    ("VE-U", "Bruzual"): (-68.90, 10.16),
    ("VE-U", "Peña"): (-69.13, 10.08),
    ("VE-U", "Nirgua"): (-68.56, 10.15),
    ("VE-U", "Urachiche"): (-69.01, 10.15),
    ("VE-I", "Falcón"): (-69.93, 11.93),
    ("VE-I", "Petit"): (-69.62, 11.13),
    ("VE-I", "Miranda"): (-69.67, 11.40),
    ("VE-I", "Carirubana"): (-70.20, 11.70),
    ("VE-I", "Federación"): (-69.54, 10.81),
    ("VE-I", "Zamora"): (-69.35, 11.49),
    ("VE-G", "Libertador"): (-68.07, 10.11),
    ("VE-G", "Carlos Arvelo"): (-67.78, 10.08),
    ("VE-G", "Puerto Cabello"): (-68.01, 10.47),
    ("VE-G", "Bejuma"): (-68.26, 10.17),
    ("VE-G", "Valencia"): (-68.00, 10.16),
    ("VE-A", "Libertador"): (-66.93, 10.49),
}
PARISH_POINTS: dict[tuple[str, str], tuple[float, float]] = {
    ("VE-A", "23 de enero"): (-66.935, 10.505),
    ("VE-A", "La Pastora"): (-66.918, 10.515),
    ("VE-A", "San Juan"): (-66.928, 10.495),
    ("VE-A", "Antímano"): (-66.985, 10.465),
    ("VE-A", "Caricuao"): (-67.005, 10.435),
    ("VE-A", "Macarao"): (-67.045, 10.44),
    ("VE-A", "El Junquito"): (-67.075, 10.46),
    ("VE-A", "La Vega"): (-66.945, 10.475),
    ("VE-A", "Sucre (Catia)"): (-66.955, 10.51),
    ("VE-K", "Buría"): (-69.25, 9.82),
    ("VE-K", "Gustavo Vega"): (-69.10, 9.84),
}

# What the communes of each state produce, for the descriptions of production links.
PRODUCTS: dict[str, tuple[str, ...]] = {
    "VE-K": ("maíz", "caraotas", "cebolla", "papelón", "queso de cabra", "carne de cerdo"),
    "VE-C": ("carne", "queso llanero", "pescado de río", "leche"),
    "VE-E": ("leche", "plátano", "carne", "yuca"),
    "VE-S": ("café", "hortalizas", "leche", "caña de azúcar"),
    "VE-L": ("papa", "zanahoria", "café", "truchas", "ajo"),
    "VE-U": ("naranjas", "cambur", "caña de azúcar", "aguacate"),
    "VE-I": ("leche de cabra", "sábila", "pescado", "melón"),
    "VE-G": ("hortalizas", "pollo", "repuestos de maquinaria", "cacao"),
    "VE-A": ("pan", "textiles", "jabón artesanal", "transporte y distribución"),
}


@dataclass(frozen=True)
class CommuneSpec:
    name: str
    slug: str
    state: str
    municipality: str
    parish: str
    scope: str = Scope.RURAL
    councils: int | None = None  # None: drawn from 3 to 12
    status: str = CommuneStatus.REGISTERED
    linked: bool = True  # False: "not linked yet"
    note: str = ""


RUR, URB, IND = Scope.RURAL, Scope.URBAN, Scope.INDIGENOUS
FORMING = CommuneStatus.FORMING

COMMUNES: list[CommuneSpec] = [
    # Lara
    CommuneSpec(
        "Comuna El Maizal",
        MAIZAL_SLUG,
        "VE-K",
        "Simón Planas",
        "Sarare",
        councils=12,
        note="Comuna agroproductiva: maíz, ganado porcino y caprino. La primera Asamblea "
        "Nacional de Comunas se reunió en Sarare en agosto de 2018.",
    ),
    CommuneSpec("Comuna Socialista Negro Miguel", "negro-miguel", "VE-K", "Simón Planas", "Buría"),
    CommuneSpec(
        "Comuna Socialista Alí Primera", "ali-primera", "VE-K", "Simón Planas", "Gustavo Vega"
    ),
    CommuneSpec("Comuna Fabricio Ojeda", "fabricio-ojeda", "VE-K", "Simón Planas", "Sarare"),
    CommuneSpec(
        "Comuna Socialista Ataroa", "ataroa", "VE-K", "Iribarren", "Juan de Villegas", scope=URB
    ),
    CommuneSpec(
        "Comuna Luisa Cáceres de Arismendi", "luisa-caceres", "VE-K", "Palavecino", "Cabudare", URB
    ),
    CommuneSpec("Comuna Tamaca Productiva", "tamaca-productiva", "VE-K", "Iribarren", "Tamaca"),
    CommuneSpec("Comuna El Cují Socialista", "el-cuji", "VE-K", "Iribarren", "El Cují", URB),
    CommuneSpec("Comuna Telar de Tintorero", "telar-de-tintorero", "VE-K", "Jiménez", "Tintorero"),
    CommuneSpec(
        "Comuna Tierra Ayamán", "tierra-ayaman", "VE-K", "Jiménez", "Juan Bautista Rodríguez"
    ),
    CommuneSpec("Comuna Argimiro Gabaldón", "argimiro-gabaldon", "VE-K", "Morán", "Bolívar"),
    CommuneSpec(
        "Comuna Páramo de Humocaro", "paramo-de-humocaro", "VE-K", "Morán", "Humocaro Alto"
    ),
    CommuneSpec(
        "Comuna Semilla de Carora", "semilla-de-carora", "VE-K", "Torres", "Trinidad Samuel"
    ),
    CommuneSpec(
        "Comuna Cardonal de Montes de Oca",
        "cardonal-montes-de-oca",
        "VE-K",
        "Torres",
        "Montes de Oca",
    ),
    CommuneSpec("Comuna Duaca Cafetalera", "duaca-cafetalera", "VE-K", "Crespo", "Freitez"),
    CommuneSpec(
        "Comuna Siquisique Indómita",
        "siquisique-indomita",
        "VE-K",
        "Urdaneta",
        "Siquisique",
        status=FORMING,
        linked=False,
    ),
    CommuneSpec("Comuna Valle del Turbio", "valle-del-turbio", "VE-K", "Palavecino", "Agua Viva"),
    # Apure
    CommuneSpec(
        "Comuna Indígena Pumé de Cunaviche",
        "pume-cunaviche",
        "VE-C",
        "Pedro Camejo",
        "Cunaviche",
        IND,
    ),
    CommuneSpec(
        "Comuna Indígena Capanaparo",
        "capanaparo",
        "VE-C",
        "Pedro Camejo",
        "San Juan de Payara",
        IND,
    ),
    CommuneSpec(
        "Comuna Queseras del Medio", "queseras-del-medio", "VE-C", "Achaguas", "Queseras del medio"
    ),
    CommuneSpec(
        "Comuna Ribera del Apure", "ribera-del-apure", "VE-C", "San Fernando", "San Fernando", URB
    ),
    CommuneSpec("Comuna Hato Mantecal", "hato-mantecal", "VE-C", "Muñoz", "Mantecal", linked=False),
    CommuneSpec(
        "Comuna Sabanas de Guasdualito", "sabanas-de-guasdualito", "VE-C", "Páez", "Guasdualito"
    ),
    CommuneSpec("Comuna Llano Adentro", "llano-adentro", "VE-C", "Rómulo Gallegos", "Elorza"),
    # Barinas
    CommuneSpec("Comuna Ezequiel Zamora", "ezequiel-zamora", "VE-E", "Barinas", "Santa Lucía"),
    CommuneSpec(
        "Comuna Florentino y el Diablo",
        "florentino-y-el-diablo",
        "VE-E",
        "Alberto Arvelo Torrealba",
        "Sabaneta",
    ),
    CommuneSpec(
        "Comuna Batalla de Santa Inés", "batalla-de-santa-ines", "VE-E", "Barinas", "Santa Inés"
    ),
    CommuneSpec("Comuna Piedemonte Andino", "piedemonte-andino", "VE-E", "Bolívar", "Barinitas"),
    CommuneSpec(
        "Comuna Montaña de Ticoporo",
        "montana-de-ticoporo",
        "VE-E",
        "Antonio José de Sucre",
        "Ticoporo",
        linked=False,
    ),
    CommuneSpec(
        "Comuna Ciudad Bolivia Agroproductiva",
        "ciudad-bolivia",
        "VE-E",
        "Pedraza",
        "Ciudad Bolívia",
    ),
    CommuneSpec("Comuna Río Boconó", "rio-bocono", "VE-E", "Rojas", "Libertad"),
    CommuneSpec("Comuna Los Guasimitos", "los-guasimitos", "VE-E", "Obispos", "Los Guasimitos"),
    # Táchira
    CommuneSpec("Comuna Paramillo", "paramillo", "VE-S", "San Cristóbal", "La Concordia", URB),
    CommuneSpec("Comuna Frontera Viva", "frontera-viva", "VE-S", "Junín", "Junín"),
    CommuneSpec("Comuna Agroproductiva Pregonero", "pregonero", "VE-S", "Uribante", "Uribante"),
    CommuneSpec(
        "Comuna La Grita Cafetalera", "la-grita-cafetalera", "VE-S", "Jáuregui", "Jáuregui"
    ),
    CommuneSpec(
        "Comuna El Piñal", "el-pinal", "VE-S", "Fernández Feo", "Fernández Feo", linked=False
    ),
    CommuneSpec("Comuna Táriba Obrera", "tariba-obrera", "VE-S", "Cárdenas", "Cárdenas", URB),
    CommuneSpec(
        "Comuna Capacho Independiente",
        "capacho-independiente",
        "VE-S",
        "Independencia",
        "Independencia",
    ),
    # Mérida
    CommuneSpec(
        "Comuna Che Guevara",
        "che-guevara",
        "VE-L",
        "Tovar",
        "El Llano",
        note="Comuna cafetalera y cacaotera del Valle del Mocotíes.",
    ),
    CommuneSpec("Comuna Páramo Productivo", "paramo-productivo", "VE-L", "Rangel", "Mucuchíes"),
    CommuneSpec("Comuna Pueblos del Sur", "pueblos-del-sur", "VE-L", "Arzobispo Chacón", "Canagua"),
    CommuneSpec("Comuna Los Curos", "los-curos", "VE-L", "Libertador", "Osuna Rodríguez", URB),
    CommuneSpec("Comuna Ejido Artesanal", "ejido-artesanal", "VE-L", "Campo Elías", "Matriz", URB),
    CommuneSpec(
        "Comuna Sur del Lago Platanera",
        "sur-del-lago",
        "VE-L",
        "Alberto Adriani",
        "Presidente Páez",
    ),
    CommuneSpec(
        "Comuna Bailadores Agrícola",
        "bailadores-agricola",
        "VE-L",
        "Rivas Dávila",
        "Bailadores",
        linked=False,
    ),
    CommuneSpec("Comuna Tabay Montaña", "tabay-montana", "VE-L", "Santos Marquina", "Tabay"),
    # Yaracuy
    CommuneSpec("Comuna Cimarrón Andresote", "cimarron-andresote", "VE-U", "Veroes", "Farriar"),
    CommuneSpec("Comuna Socialista Yurubí", "yurubi", "VE-U", "San Felipe", "San Felipe", URB),
    CommuneSpec(
        "Comuna Caña Dulce de Chivacoa", "cana-dulce-chivacoa", "VE-U", "Bruzual", "Chivacoa"
    ),
    CommuneSpec("Comuna Montaña de Sorte", "montana-de-sorte", "VE-U", "Bruzual", "Campo Elías"),
    CommuneSpec("Comuna Yaritagua Productiva", "yaritagua-productiva", "VE-U", "Peña", "Yaritagua"),
    CommuneSpec("Comuna Nirgua Ancestral", "nirgua-ancestral", "VE-U", "Nirgua", "Nirgua"),
    CommuneSpec(
        "Comuna Urachiche Campesina",
        "urachiche-campesina",
        "VE-U",
        "Urachiche",
        "Urachiche",
        status=FORMING,
        linked=False,
    ),
    # Falcón
    CommuneSpec("Comuna Josefa Camejo", "josefa-camejo", "VE-I", "Falcón", "Pueblo Nuevo"),
    CommuneSpec(
        "Comuna José Leonardo Chirino", "jose-leonardo-chirino", "VE-I", "Petit", "Curimagua"
    ),
    CommuneSpec("Comuna Médanos de Coro", "medanos-de-coro", "VE-I", "Miranda", "Santa Ana", URB),
    CommuneSpec(
        "Comuna Punta Cardón Pescadora",
        "punta-cardon",
        "VE-I",
        "Carirubana",
        "Urbana Punta Cardón",
        URB,
    ),
    CommuneSpec(
        "Comuna Churuguara Serrana",
        "churuguara-serrana",
        "VE-I",
        "Federación",
        "Churuguara",
        linked=False,
    ),
    CommuneSpec(
        "Comuna Costa de Cumarebo", "costa-de-cumarebo", "VE-I", "Zamora", "Puerto Cumarebo"
    ),
    # Carabobo
    CommuneSpec("Comuna Negro Primero", "negro-primero", "VE-G", "Libertador", "Campo Carabobo"),
    CommuneSpec(
        "Comuna Tacarigua Lacustre", "tacarigua-lacustre", "VE-G", "Carlos Arvelo", "Tacarigua"
    ),
    CommuneSpec(
        "Comuna Puerto Libre", "puerto-libre", "VE-G", "Puerto Cabello", "Juan José Flores", URB
    ),
    CommuneSpec(
        "Comuna Canoabo Cacaotera",
        "canoabo-cacaotera",
        "VE-G",
        "Bejuma",
        "Canoabo",
        status=FORMING,
        linked=False,
    ),
    CommuneSpec(
        "Comuna Miguel Peña Obrera",
        "miguel-pena-obrera",
        "VE-G",
        "Valencia",
        "Urbana Miguel Peña",
        URB,
    ),
    # Distrito Capital
    CommuneSpec(
        "Comuna Socialista Altos de Lídice",
        "altos-de-lidice",
        "VE-A",
        "Libertador",
        "La Pastora",
        URB,
    ),
    CommuneSpec("Comuna El Panal 2021", "el-panal-2021", "VE-A", "Libertador", "23 de enero", URB),
    CommuneSpec("Comuna Guarataro", "guarataro", "VE-A", "Libertador", "San Juan", URB),
    CommuneSpec(
        "Comuna Cacique Antímano", "cacique-antimano", "VE-A", "Libertador", "Antímano", URB
    ),
    CommuneSpec("Comuna Caricuao Verde", "caricuao-verde", "VE-A", "Libertador", "Caricuao", URB),
    CommuneSpec(
        "Comuna Macarao Montaña",
        "macarao-montana",
        "VE-A",
        "Libertador",
        "Macarao",
        URB,
        status=FORMING,
        linked=False,
    ),
    CommuneSpec("Comuna El Junquito Agrícola", "el-junquito", "VE-A", "Libertador", "El Junquito"),
    CommuneSpec("Comuna La Vega Unida", "la-vega-unida", "VE-A", "Libertador", "La Vega", URB),
    CommuneSpec(
        "Comuna Catia Insurgente", "catia-insurgente", "VE-A", "Libertador", "Sucre (Catia)", URB
    ),
]

CITY_MEMBERS = (MAIZAL_SLUG, "negro-miguel", "ali-primera", "fabricio-ojeda")

MAIZAL_COUNCILS = (
    "Las Delicias",
    "Los Cerritos",
    "La Ceiba",
    "Sabana Larga",
    "El Cardonal",
    "Caño Seco",
    "Las Vegas del Maizal",
    "La Esperanza",
    "Bella Vista",
    "El Guayabal",
    "Los Naranjos",
    "Quebrada de Oro",
)
RURAL_PLACES = (
    "El Jobo", "La Ceiba", "Los Samanes", "Caño Hondo", "El Guamo", "Las Palmas", "Mata de Caña",
    "Los Araguaneyes", "El Totumo", "La Sabana", "Agua Blanca", "Los Apamates", "Palo Negro",
    "El Carrizal", "Las Flores", "San Isidro", "El Rosario", "Santa Rosa", "La Candelaria",
    "El Cerrito", "Los Mangos", "La Quebrada", "El Paraíso", "Vuelta Larga", "Las Guacas",
    "El Manguito", "La Lagunita", "Los Cocos", "Brisas del Campo", "El Caney",
)  # fmt: skip
URBAN_PLACES = (
    "Barrio Unión", "5 de Julio", "Bloque 7", "Brisas del Río", "Nueva Esperanza", "Los Próceres",
    "La Trinidad", "Los Jardines", "Barrio Obrero", "El Carmen", "La Independencia",
    "Simón Rodríguez", "Altos de la Colina", "Las Terrazas", "24 de Junio", "San Martín",
    "El Progreso", "La Hoyada", "Pueblo Nuevo", "Los Cortijos", "Manuelita Sáenz",
    "Calle Real", "Vista Hermosa", "Santa Eduvigis", "La Pradera",
)  # fmt: skip
INDIGENOUS_PLACES = (
    "Pumé Boca de Tigre", "Pumé Caño Mochuelo", "Pumé El Paso", "Pumé La Pica", "Kuiva Macanillal",
    "Kuiva Los Guayabos", "Pumé Palmarito", "Kuiva Laguna Larga", "Pumé Riecito Abajo",
    "Kuiva Caño Guaritico", "Pumé El Mango", "Kuiva Morichal Largo",
)  # fmt: skip
PLACES = {RUR: RURAL_PLACES, URB: URBAN_PLACES, IND: INDIGENOUS_PLACES}

# Invented people: common first names and compound surnames that nobody carries.
FIRST_NAMES_F = (
    "Yusmary", "Mariela", "Yelitza", "Carmen", "Rosaura", "Luisa", "Yajaira", "Nelly", "Xiomara",
    "Milagros", "Belkis", "Maritza", "Dayana", "Yolimar", "Zuleima", "Ana", "Josefina",
    "Marbelis", "Yaneth", "Petra", "Aurora", "Yorgelis",
)  # fmt: skip
FIRST_NAMES_M = (
    "José", "Luis", "Jesús", "Wilmer", "Ramón", "Pedro", "Yender", "Franklin", "Nelson", "Richard",
    "Douglas", "Ángel", "Omar", "Jhonny", "Eduardo", "Rafael", "Yonaiker", "Carlos", "Freddy",
    "Argenis", "Wuilian", "Simón",
)  # fmt: skip
SURNAMES = (
    "Semillaviva", "Surcofirme", "Maizdeoro", "Lluviamansa", "Cosechabuena", "Caraotanegra",
    "Yucadulce", "Cafetalalto", "Cacaofino", "Conucoverde", "Siembralarga", "Tierrafresca",
    "Papelóndulce", "Sabanabierta", "Montañafría", "Cañadulce", "Palmarsolo", "Ceibagrande",
    "Samánfuerte", "Guamaverde", "Mangomaduro", "Cerrotranquilo", "Quebradaclara",
    "Llanoabierto", "Morichalto", "Araguaneyflor", "Apamatesol", "Cujísombra",
)  # fmt: skip

SIGN_IN_NAMES = (
    "Aurora Llanoabierto Semillaviva",
    "Ramón Maizdeoro Surcofirme",
    "Wilmer Conucoverde Yucadulce",
    "Belkis Quebradaclara Ceibagrande",
    "Nelson Cafetalalto Guamaverde",
    "Yelitza Siembralarga Lluviamansa",
    "Simón Cerrotranquilo Morichalto",
)

COMMITTEE_CODES = (
    "water", "communal-economy", "energy-gas", "health", "land", "food", "community-media",
    "education", "producers", "family-gender",
)  # fmt: skip

LINK_TEXTS: dict[str, tuple[str, ...]] = {
    LinkKind.PRODUCTION: (
        "Intercambio de {a} por {b} entre productores de ambas comunas.",
        "Circuito de abastecimiento: {a} a cambio de {b}, sin intermediarios.",
        "Compra conjunta de insumos y trueque de {a} por {b}.",
    ),
    LinkKind.COMMUNICATION: (
        "Programa semanal compartido en las radios comunitarias de ambas comunas.",
        "Boletín comunal conjunto y red de mensajería de voceros y voceras.",
    ),
    LinkKind.EDUCATION: (
        "Escuela de formación comunal compartida: contraloría social y planificación.",
        "Talleres de agroecología y producción de semillas entre ambas comunas.",
    ),
    LinkKind.SERVICES: (
        "Apoyo mutuo de las mesas técnicas de agua: tuberías, bombas y cisternas.",
        "Cuadrilla compartida para la recolección de desechos y el alumbrado público.",
    ),
    LinkKind.TERRITORY: (
        "Comunas vecinas: coordinan el plan de desarrollo del territorio que comparten.",
        "Vialidad rural y riego compartidos entre ambas comunas.",
    ),
}

# El Maizal, the hub: (other commune, kind, El Maizal is the source, description).
MAIZAL_LINKS: tuple[tuple[str, str, bool, str], ...] = (
    ("negro-miguel", LinkKind.TERRITORY, True, "Territorio de la Ciudad Comunal Simón Planas: "
     "vialidad rural y riego compartidos."),
    ("ali-primera", LinkKind.TERRITORY, True, "Territorio de la Ciudad Comunal Simón Planas: "
     "plan de desarrollo común."),
    ("fabricio-ojeda", LinkKind.SERVICES, True, "Mesa técnica de agua común: mantenimiento del "
     "acueducto rural de Sarare."),
    ("ataroa", LinkKind.PRODUCTION, True, "El Maizal abastece de maíz y carne de cerdo a Ataroa, "
     "que los distribuye en Barquisimeto."),
    ("altos-de-lidice", LinkKind.PRODUCTION, True, "Venta directa de harina de maíz y hortalizas "
     "en Caracas, sin intermediarios."),
    ("el-panal-2021", LinkKind.PRODUCTION, False, "Intercambio de textiles y jabón de El Panal "
     "por maíz de El Maizal."),
    ("che-guevara", LinkKind.PRODUCTION, True, "Intercambio de semilla de maíz por café y cacao "
     "del Valle del Mocotíes."),
    ("ezequiel-zamora", LinkKind.PRODUCTION, False, "Novillos de Barinas a cambio de alimento "
     "concentrado producido en El Maizal."),
    ("cimarron-andresote", LinkKind.EDUCATION, True, "Escuela de formación agroecológica "
     "compartida."),
    ("josefa-camejo", LinkKind.COMMUNICATION, True, "Red de radios comunitarias: programa "
     "semanal conjunto."),
    ("negro-primero", LinkKind.PRODUCTION, False, "Repuestos y mantenimiento de la maquinaria "
     "agrícola de El Maizal."),
    ("queseras-del-medio", LinkKind.PRODUCTION, True, "Maíz a cambio de queso llanero de Apure."),
    ("telar-de-tintorero", LinkKind.EDUCATION, False, "Talleres de tejido y de contabilidad "
     "comunal."),
    ("luisa-caceres", LinkKind.COMMUNICATION, True, "Boletín comunal de Lara hecho a dos manos."),
    ("frontera-viva", LinkKind.EDUCATION, True, "Intercambio de experiencias de banca comunal."),
    ("catia-insurgente", LinkKind.PRODUCTION, True, "Mercado comunal mensual en Catia con "
     "productos de El Maizal."),
)  # fmt: skip

# Links between regions, beyond El Maizal's.
BRIDGE_LINKS: tuple[tuple[str, str, str], ...] = (
    ("altos-de-lidice", "cana-dulce-chivacoa", LinkKind.PRODUCTION),
    ("guarataro", "tamaca-productiva", LinkKind.PRODUCTION),
    ("che-guevara", "la-grita-cafetalera", LinkKind.PRODUCTION),
    ("pueblos-del-sur", "pregonero", LinkKind.EDUCATION),
    ("ezequiel-zamora", "sabanas-de-guasdualito", LinkKind.PRODUCTION),
    ("piedemonte-andino", "paramo-productivo", LinkKind.TERRITORY),
    ("negro-primero", "yaritagua-productiva", LinkKind.SERVICES),
    ("josefa-camejo", "cimarron-andresote", LinkKind.COMMUNICATION),
    ("ataroa", "yurubi", LinkKind.EDUCATION),
)


# The builder --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    communes: int = 0
    councils: int = 0
    people: int = 0
    mandates: int = 0
    links: int = 0
    assessments: int = 0
    users: list[str] = field(default_factory=list)
    expired: int = 0
    warned: int = 0


@dataclass
class _CouncilPlan:
    commune: CommuneSpec
    name: str
    parish: Parish
    scope: str
    status: str
    expired_mandate: bool = False
    council: CommunalCouncil | None = None


def demo_loaded() -> bool:
    return Commune.objects.filter(slug=MAIZAL_SLUG).exists()


def demo_load(*, today: date | None = None) -> DemoResult | None:
    """Load the demo network; None when it is already loaded (nothing is changed then)."""
    if demo_loaded():
        return None
    with transaction.atomic():
        return _Builder(today or timezone.localdate()).run()


def system_user() -> User:
    """The staff account that the seeds act as. It cannot sign in (no usable password)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, is_staff=True, first_name="Sistema")
        user.set_unusable_password()
        user.save()
    elif not user.is_staff:
        raise SeedError(f"The user {SYSTEM_USERNAME!r} exists and is not staff.")
    return user


def network_root_ensure(*, actor: AnyUser | None) -> Organisation:
    """The network's root organisation, created when the database has none."""
    root = actions.network_root()
    if root is not None:
        return root
    return core_actions.organisation_create(
        actor=actor,
        kind=OrganisationKind.NETWORK,
        name=NETWORK_NAME,
        slug=NETWORK_SLUG,
        description=NETWORK_DESCRIPTION,
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Builder:
    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
        self.result = DemoResult()
        self.person_serial = 0
        # The sign-ins' people have names of their own: no invented one may repeat them.
        self.names_taken: set[str] = set(SIGN_IN_NAMES)
        self.council_serial: dict[str, int] = {}
        self.communes: dict[str, Commune] = {}
        self.councils: dict[str, list[CommunalCouncil]] = {}
        self.parliaments: dict[int, Body] = {}
        self.made: set[tuple[str, str, str]] = set()
        self.states = {spec.slug: spec.state for spec in COMMUNES}
        self.slugs_taken: set[str] | None = None

    # Setup ---------------------------------------------------------------------------------

    def run(self) -> DemoResult:
        parishes = self._parishes()
        self.system = system_user()
        self.group, _created = Group.objects.get_or_create(name=DEMO_GROUP)
        self.root = network_root_ensure(actor=self.system)
        coordination = self._demo_user(
            "coordinacion", "Aurora Llanoabierto Semillaviva", Person.Gender.FEMALE
        )
        core_actions.membership_grant(
            actor=self.system,
            person=coordination.person,
            organisation=self.root,
            role=Role.COORDINATOR,
            valid_from=date(2018, 8, 1),
        )
        self.coordination = coordination
        plans = self._plan_councils(parishes)
        for spec in COMMUNES:
            self._commune(spec, parishes)
        self.committees = {
            c.code: c for c in CommitteeType.objects.filter(code__in=COMMITTEE_CODES)
        }
        for plan in plans:
            self._council(plan)
        self._maizal_users()
        self._mandates(plans)
        self._links()
        self._assessments()
        actions.aggregation_form(
            actor=coordination,
            name="Ciudad Comunal Simón Planas",
            slug=CITY_SLUG,
            aggregation_kind=AggregationKind.COMMUNAL_CITY,
            communes=[self.communes[slug] for slug in CITY_MEMBERS],
            formed=date(2019, 4, 13),
            description="Ciudad comunal de El Maizal y tres comunas vecinas del municipio "
            "Simón Planas (Lara). Datos de demostración.",
        )
        self._demo_user("visitante", "Simón Cerrotranquilo Morichalto", Person.Gender.MALE)
        ran = actions.mandates_expire(today=self.today)
        self.result.expired, self.result.warned = ran["expired"], ran["warned"]
        return self.result

    def _parishes(self) -> dict[tuple[str, str, str], Parish]:
        states = {spec.state for spec in COMMUNES}
        found = {
            (p.municipality.state.code, p.municipality.name, p.name): p
            for p in Parish.objects.filter(municipality__state__code__in=states).select_related(
                "municipality__state"
            )
        }
        if not found:
            raise SeedError("The geography is not loaded: run `comuna load-geography` first.")
        missing = [
            f"{s.parish} ({s.municipality}, {s.state})"
            for s in COMMUNES
            if (s.state, s.municipality, s.parish) not in found
        ]
        if missing:
            raise SeedError("These parishes are not in the loaded geography: " + ", ".join(missing))
        return found

    # People --------------------------------------------------------------------------------

    def _invented_name(self, gender: str) -> str:
        firsts = FIRST_NAMES_F if gender == Person.Gender.FEMALE else FIRST_NAMES_M
        while True:
            first = self.rng.choice(firsts)
            one, two = self.rng.sample(SURNAMES, 2)
            name = f"{first} {one} {two}"
            if name not in self.names_taken:
                return name

    def _person(self, full_name: str = "", gender: str = "", user: User | None = None) -> Person:
        if not gender:
            gender = self.rng.choice([Person.Gender.FEMALE, Person.Gender.MALE])
        if not full_name:
            full_name = self._invented_name(gender)
            self.names_taken.add(full_name)
        self.person_serial += 1
        n = self.person_serial
        first, surname = full_name.split(" ")[:2]
        person = core_actions.person_create(
            actor=self.system,
            user=user,
            full_name=full_name,
            public_name=f"{first} {surname}",
            gender=gender,
            national_id=f"V-00.{n // 1000:03d}.{n % 1000:03d}",
            phone=f"0000-{n:07d}",
            address="Dirección ficticia (persona de demostración)",
        )
        self.result.people += 1
        return person

    def _demo_user(self, username: str, full_name: str, gender: str) -> User:
        if User.objects.filter(username=username).exists():
            raise SeedError(
                f"The user {username!r} already exists: the demo needs a database without it."
            )
        first, last = full_name.split(" ")[:2]
        user = User.objects.create_user(
            username, email="", password=DEMO_PASSWORD, first_name=first, last_name=last
        )
        user.groups.add(self.group)
        self._person(full_name, gender, user=user)
        self.result.users.append(username)
        return user

    def _maizal_users(self) -> None:
        maizal = self.communes[MAIZAL_SLUG]
        delicias = self.councils[MAIZAL_SLUG][0]
        for username, name, gender, organisation, role in (
            ("maizal-coordinador", "Ramón Maizdeoro Surcofirme", "m", maizal, Role.COORDINATOR),
            ("maizal-miembro", "Wilmer Conucoverde Yucadulce", "m", maizal, Role.MEMBER),
            ("maizal-contraloria", "Belkis Quebradaclara Ceibagrande", "f", maizal, Role.OVERSIGHT),
            (
                "consejo-coordinador",
                "Nelson Cafetalalto Guamaverde",
                "m",
                delicias,
                Role.COORDINATOR,
            ),
        ):
            user = self._demo_user(username, name, gender)
            core_actions.membership_grant(
                actor=self.system,
                person=user.person,
                organisation=organisation,
                role=role,
                valid_from=date(2018, 8, 1),
            )
        # The spokesperson holds the parliament seat of Las Delicias (see _mandates).
        self.vocera = self._demo_user("maizal-vocera", "Yelitza Siembralarga Lluviamansa", "f")

    # Communes and councils ------------------------------------------------------------------

    def _point(self, state: str, base: tuple[float, float], spread: float) -> tuple[float, float]:
        """A point near `base` that lies in the state (the base itself as a last resort)."""
        for _attempt in range(8):
            lon = round(base[0] + self.rng.uniform(-spread, spread), 5)
            lat = round(base[1] + self.rng.uniform(-spread, spread), 5)
            if geography_queries.locate_code(lon, lat) == state:
                return lon, lat
        return base

    def _commune(self, spec: CommuneSpec, parishes: dict[tuple[str, str, str], Parish]) -> None:
        base = (
            PARISH_POINTS.get((spec.state, spec.parish)) or SEATS[(spec.state, spec.municipality)]
        )
        spread = 0.0 if (spec.state, spec.parish) in PARISH_POINTS else 0.04
        lon, lat = self._point(spec.state, base, spread) if spread else base
        forming = spec.status == CommuneStatus.FORMING
        charter = None if forming else date(2013, 1, 15) + timedelta(days=self.rng.randint(0, 2000))
        sequence = len(self.communes) + 1
        commune = actions.commune_register(
            actor=self.coordination,
            name=spec.name,
            slug=spec.slug,
            registry_code=f"COM-{spec.state[-1]}-{sequence:03d}",
            parish=parishes[(spec.state, spec.municipality, spec.parish)],
            charter_date=charter,
            status=spec.status,
            seat=parishes[(spec.state, spec.municipality, spec.parish)].name,
            lon=lon,
            lat=lat,
            description=" ".join(
                part for part in (spec.note, "Comuna de la red de demostración.") if part
            ),
        )
        self.communes[spec.slug] = commune
        self.parliaments[commune.pk] = Body.objects.get(
            organisation=commune, kind=BodyKind.PARLIAMENT
        )
        self.result.communes += 1

    def _plan_councils(self, parishes: dict[tuple[str, str, str], Parish]) -> list[_CouncilPlan]:
        by_municipality: dict[tuple[str, str], list[Parish]] = {}
        for (state, municipality, _name), parish in sorted(parishes.items()):
            by_municipality.setdefault((state, municipality), []).append(parish)
        plans: list[_CouncilPlan] = []
        for spec in COMMUNES:
            count = spec.councils or self.rng.randint(3, 12)
            home = parishes[(spec.state, spec.municipality, spec.parish)]
            if spec.slug == MAIZAL_SLUG:
                names = list(MAIZAL_COUNCILS[:count])
            else:
                pool = PLACES[Scope(spec.scope)]
                names = self.rng.sample(pool, min(count, len(pool)))
            for name in names:
                scope = spec.scope
                if scope == IND and self.rng.random() < 0.25:
                    scope = RUR  # criollo neighbours of the indigenous communities
                elif scope != IND and self.rng.random() < 0.12:
                    scope = URB if scope == RUR else RUR
                parish = home
                if self.rng.random() < 0.25:
                    parish = self.rng.choice(by_municipality[(spec.state, spec.municipality)])
                roll = self.rng.random()
                status = (
                    CouncilStatus.INACTIVE
                    if roll < 0.03
                    else CouncilStatus.RENEWAL_DUE
                    if roll < 0.10
                    else CouncilStatus.ACTIVE
                )
                plans.append(_CouncilPlan(spec, f"Consejo Comunal {name}", parish, scope, status))
        # Las Delicias, El Maizal's first council, is active: the demo spokesperson sits for it.
        next(p for p in plans if p.commune.slug == MAIZAL_SLUG).status = CouncilStatus.ACTIVE
        # A couple of councils whose spokesperson's mandate has already run out.
        eligible = [p for p in plans if p.commune.slug != MAIZAL_SLUG and p.status != "inactive"]
        for plan in self.rng.sample(eligible, EXPIRED_MANDATES):
            plan.expired_mandate = True
            plan.status = CouncilStatus.RENEWAL_DUE
        return plans

    def _slug(self, name: str) -> str:
        """A free short name (what actions.unique_slug finds, without a query per try)."""
        base = slugify(name)[:100]
        if self.slugs_taken is None:
            self.slugs_taken = set(
                Organisation.objects.filter(slug__startswith="consejo-comunal-").values_list(
                    "slug", flat=True
                )
            )
        slug, n = base, 2
        while slug in self.slugs_taken:
            slug, n = f"{base}-{n}", n + 1
        self.slugs_taken.add(slug)
        return slug

    def _council(self, plan: _CouncilPlan) -> None:
        spec = plan.commune
        commune = self.communes[spec.slug]
        if commune.lon is None or commune.lat is None:
            raise SeedError(f"The commune {commune.name!r} has no point.")
        households = {
            Scope.RURAL: self.rng.randint(20, 140),
            Scope.URBAN: self.rng.randint(150, 400),
            Scope.INDIGENOUS: self.rng.randint(10, 60),
        }[Scope(plan.scope)]
        serial = self.council_serial.get(spec.state, 0) + 1
        self.council_serial[spec.state] = serial
        lon, lat = self._point(spec.state, (commune.lon, commune.lat), 0.025)
        council = actions.council_register(
            actor=self.system,
            name=plan.name,
            slug=self._slug(plan.name),
            registry_code=f"CC-{spec.state[-1]}-{serial:04d}",
            parish=plan.parish,
            scope=plan.scope,
            commune=commune,
            households=households,
            population=round(households * self.rng.uniform(3.4, 4.6)),
            founded=date(2007, 1, 10) + timedelta(days=self.rng.randint(0, 3600)),
            status=plan.status,
            lon=lon,
            lat=lat,
        )
        plan.council = council
        self.councils.setdefault(spec.slug, []).append(council)
        self.result.councils += 1

    # Mandates -------------------------------------------------------------------------------

    def _grant(
        self,
        *,
        person: Person,
        organisation: Organisation,
        start: date,
        end: date | None,
        decision: str,
        body: Body | None = None,
        committee: CommitteeType | None = None,
        position: str = "principal",
    ) -> None:
        actions.mandate_grant(
            actor=self.system,
            person=person,
            organisation=organisation,
            body=body,
            committee=committee,
            position=position,
            start=start,
            end=end,
            decision=decision,
        )
        self.result.mandates += 1

    def _term(self, plan: _CouncilPlan) -> tuple[date, date | None]:
        """Start and end of a parliament seat: expired, ending soon or well under way."""
        if plan.expired_mandate:
            end = self.today - timedelta(days=self.rng.randint(5, 40))
            return _years_before(end, actions.MANDATE_YEARS), end
        if self.rng.random() < ENDING_SOON_SHARE:
            end = self.today + timedelta(days=self.rng.randint(5, 55))
            return _years_before(end, actions.MANDATE_YEARS), end
        return self.today - timedelta(days=self.rng.randint(30, 900)), None

    def _mandates(self, plans: list[_CouncilPlan]) -> None:
        delicias = self.councils[MAIZAL_SLUG][0]
        for plan in plans:
            council = plan.council
            if council is None:
                raise SeedError(f"The council {plan.name!r} was not registered.")
            commune = self.communes[plan.commune.slug]
            if plan.status != CouncilStatus.INACTIVE:
                if council.pk == delicias.pk:
                    person = self.vocera.person
                    start, end = self.today - timedelta(days=200), None
                else:
                    person = self._person()
                    start, end = self._term(plan)
                self._grant(
                    person=person,
                    organisation=commune,
                    body=self.parliaments[commune.pk],
                    start=start,
                    end=end,
                    decision=(
                        f"Elección en la asamblea de ciudadanos y ciudadanas del {council.name}, "
                        f"{start:%d/%m/%Y} (acta de demostración)."
                    ),
                )
            if plan.status == CouncilStatus.INACTIVE or self.rng.random() >= 0.2:
                continue
            for code in self.rng.sample(COMMITTEE_CODES, self.rng.randint(1, 2)):
                start = self.today - timedelta(days=self.rng.randint(20, 800))
                for position in ("principal", "alternate")[: 1 if self.rng.random() < 0.7 else 2]:
                    self._grant(
                        person=self._person(),
                        organisation=council,
                        committee=self.committees[code],
                        position=position,
                        start=start,
                        end=None,
                        decision=(
                            f"Asamblea de ciudadanos y ciudadanas del {council.name}, "
                            f"{start:%d/%m/%Y} (acta de demostración)."
                        ),
                    )
        maizal = self.communes[MAIZAL_SLUG]
        organs = {
            body.kind: body
            for body in Body.objects.filter(
                organisation=maizal,
                kind__in=[
                    BodyKind.EXECUTIVE_COUNCIL,
                    BodyKind.ECONOMY_COUNCIL,
                    BodyKind.BANK,
                    BodyKind.OVERSIGHT_COUNCIL,
                ],
            )
        }
        start = self.today - timedelta(days=400)
        for kind in sorted(organs):
            for position in ("principal", "alternate"):
                self._grant(
                    person=self._person(),
                    organisation=maizal,
                    body=organs[kind],
                    position=position,
                    start=start,
                    end=None,
                    decision=(
                        f"Parlamento Comunal de El Maizal, sesión del {start:%d/%m/%Y} "
                        "(acta de demostración)."
                    ),
                )

    # Links ----------------------------------------------------------------------------------

    def _link(self, source: str, target: str, kind: str, description: str = "") -> bool:
        key = (source, target, kind)
        if key in self.made or (target, source, kind) in self.made:
            return False
        self.made.add(key)
        if not description:
            template = self.rng.choice(LINK_TEXTS[kind])
            a_state, b_state = self.states[source], self.states[target]
            a = self.rng.choice(PRODUCTS[a_state])
            b = self.rng.choice([p for p in PRODUCTS[b_state] if p != a])
            description = template.format(a=a, b=b)
        actions.link_create(
            actor=self.system,
            source=self.communes[source],
            target=self.communes[target],
            kind=kind,
            description=description,
            since=date(2016, 3, 1) + timedelta(days=self.rng.randint(0, 3000)),
        )
        self.result.links += 1
        return True

    def _links(self) -> None:
        unlinked = {spec.slug for spec in COMMUNES if not spec.linked}
        for other, kind, outgoing, text in MAIZAL_LINKS:
            pair = (MAIZAL_SLUG, other) if outgoing else (other, MAIZAL_SLUG)
            self._link(*pair, kind, text)
        kinds = [
            LinkKind.TERRITORY,
            LinkKind.SERVICES,
            LinkKind.PRODUCTION,
            LinkKind.PRODUCTION,
            LinkKind.EDUCATION,
            LinkKind.COMMUNICATION,
        ]
        for state in _in_order(spec.state for spec in COMMUNES):
            members = [
                spec.slug
                for spec in COMMUNES
                if spec.state == state and spec.linked and spec.slug != MAIZAL_SLUG
            ]
            for a, b in itertools.pairwise(members):
                self._link(a, b, self.rng.choice(kinds))
            for _extra in range(len(members) // 3):
                a, b = self.rng.sample(members, 2)
                self._link(a, b, self.rng.choice(kinds))
        for a, b, kind in BRIDGE_LINKS:
            if a in unlinked or b in unlinked:
                raise SeedError(
                    f"A bridge link touches a commune meant to stay unlinked: {a}, {b}."
                )
            self._link(a, b, kind)

    # Capacity -------------------------------------------------------------------------------

    def _assessments(self) -> None:
        for spec in COMMUNES:
            forming = spec.status == CommuneStatus.FORMING
            if spec.slug == MAIZAL_SLUG:
                final = 4
            elif forming:
                final = 1
            else:
                final = self.rng.choices([1, 2, 3, 4], weights=[10, 35, 40, 15])[0]
            count = self.rng.randint(2, 4)
            levels = [final]
            for _step in range(count - 1):
                levels.append(max(1, levels[-1] - self.rng.choice([0, 1, 1, 2])))
            levels.reverse()
            for day, level in zip(ASSESSMENT_DATES[-count:], levels, strict=True):
                actions.assessment_record(
                    actor=self.system,
                    commune=self.communes[spec.slug],
                    assessed_on=min(day, self.today),
                    indicators=indicators_for(self.rng, level, forming=forming),
                    notes="Evaluación de demostración.",
                )
                self.result.assessments += 1


def indicators_for(rng: random.Random, level: int, *, forming: bool = False) -> Indicators:
    """Indicators drawn at random that give exactly `level` (see capacity.py)."""
    if level == 1:
        indicators = Indicators(
            charter_approved=not forming and rng.random() < 0.5,
            parliament_meeting=False,
            plan_approved=False,
            bank_operating=False,
            productive_units=rng.randint(0, 1),
            services_managed=0,
            councils_active_share=rng.randint(20, 60),
        )
    elif level == 2:
        indicators = Indicators(True, True, False, False, rng.randint(0, 2), 0, rng.randint(40, 90))
    elif level == 3:
        indicators = Indicators(
            True, True, True, False, rng.randint(1, 4), rng.randint(0, 1), rng.randint(50, 95)
        )
    else:
        indicators = Indicators(
            True, True, True, True, rng.randint(2, 9), rng.randint(1, 3), rng.randint(60, 100)
        )
    if capacity_level(indicators) != level:
        raise SeedError(f"The indicators drawn for level {level} give another level.")
    return indicators


def _in_order(items: Iterable[str]) -> list[str]:
    """The distinct items in the order they first appear."""
    return list(dict.fromkeys(items))
