"""The seeded catalogue: units with their conversions and a realistic list of resources.

Names are data (in Spanish, as users write them), not interface text. `comuna
seed-catalogue` and the demo load them through `actions.catalogue_seed`.
"""

from __future__ import annotations

from decimal import Decimal

# (code, name, symbol, base code or None, factor)
UNITS: tuple[tuple[str, str, str, str | None, Decimal], ...] = (
    ("kg", "kilogramo", "kg", None, Decimal(1)),
    ("g", "gramo", "g", "kg", Decimal("0.001")),
    ("t", "tonelada", "t", "kg", Decimal(1000)),
    ("saco-40kg", "saco de 40 kg", "saco 40 kg", "kg", Decimal(40)),
    ("quintal", "quintal (46 kg)", "qq", "kg", Decimal(46)),
    ("l", "litro", "l", None, Decimal(1)),
    ("ml", "mililitro", "ml", "l", Decimal("0.001")),
    ("galon", "galón", "gal", "l", Decimal("3.785")),
    ("unidad", "unidad", "u", None, Decimal(1)),
    ("docena", "docena", "doc", "unidad", Decimal(12)),
    ("caja-24", "caja de 24", "caja 24", "unidad", Decimal(24)),
    ("hora", "hora", "h", None, Decimal(1)),
    ("jornada", "jornada de 8 horas", "jornada", "hora", Decimal(8)),
    ("m", "metro", "m", None, Decimal(1)),
    ("tubo-6m", "tubo de 6 m", "tubo 6 m", "m", Decimal(6)),
    ("viaje", "viaje de carga", "viaje", None, Decimal(1)),
)

# (slug, name, category, default unit code, description)
RESOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("semilla-maiz", "Semilla de maíz", "seed", "kg", "Semilla certificada o criolla de maíz."),
    ("caraota-negra", "Caraota negra", "food", "kg", "Grano de caraota negra."),
    ("semilla-caraota", "Semilla de caraota", "seed", "kg", "Semilla de caraota negra."),
    ("cafe-verde", "Café verde", "food", "kg", "Café en grano sin tostar."),
    ("cafe-tostado", "Café tostado y molido", "food", "kg", "Café de altura tostado."),
    ("cacao", "Cacao en grano", "food", "kg", "Cacao fermentado y seco."),
    ("leche", "Leche cruda", "food", "l", "Leche de vaca."),
    ("queso-blanco", "Queso blanco", "food", "kg", "Queso llanero o de mano."),
    ("platano", "Plátano", "food", "kg", "Plátano verde o maduro."),
    ("yuca", "Yuca", "food", "kg", "Raíz de yuca dulce."),
    ("harina-maiz", "Harina de maíz", "food", "kg", "Harina precocida de maíz."),
    ("maiz-grano", "Maíz en grano", "raw_material", "kg", "Maíz blanco o amarillo."),
    ("abono-organico", "Abono orgánico", "fertiliser", "kg", "Compost o bocashi."),
    ("fertilizante-npk", "Fertilizante NPK", "fertiliser", "kg", "Fertilizante químico."),
    ("tubo-pvc", "Tubo PVC de 2 pulgadas", "spare_part", "unidad", "Tubo de riego."),
    ("saco-vacio", "Sacos vacíos", "packaging", "unidad", "Sacos de polipropileno."),
    ("frasco-vidrio", "Frascos de vidrio", "packaging", "unidad", "Frascos con tapa."),
    ("repuesto-tractor", "Repuestos de tractor", "spare_part", "unidad", "Filtros y correas."),
    ("machete", "Machetes", "tool", "unidad", "Machete de 22 pulgadas."),
    ("horas-tractor", "Horas de tractor", "service", "hora", "Arado y rastra."),
    ("transporte", "Transporte de carga", "service", "viaje", "Camión de 3 a 8 t."),
)
