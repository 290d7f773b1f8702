"""The productive network in the demo (`load(stdout)`, called by `comuna seed-demo`).

On top of the demo network: the shipped catalogue; productive units (maize seed, grain and
cornflour from El Maizal, coffee from Andean communes of Mérida and Táchira, milk and white
cheese from Apure and Barinas, organic fertiliser from Lara, bean seed from Barinas) with
micro-projects; and two supply cycles:

- "Ciclo de siembra 2026" of the network (between communes): offers of those units and seed,
  fertiliser and food needs across communes (a spare part and PVC pipe nobody offers),
  allocated exactly, most proposals accepted by both sides, one declined, the agreement
  approved by the economy council, harvests recorded and part of the deliveries made, so the
  map, the unmet needs and the ValueFlows export have something to show;
- "Abastecimiento de El Maizal" of El Maizal, still collecting offers and needs: the sign-in
  `maizal-coordinador` runs its allocation, units and councils accept, deliveries follow.

Everything goes through the actions, in one transaction; loading it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from comuna.core.models import Organisation, Person
from comuna.production import actions, planning
from comuna.production.models import (
    Commitment,
    Decision,
    Intent,
    ProductiveUnit,
    Proposal,
    ResourceSpecification,
    SupplyCycle,
    Unit,
)
from comuna.registry.demo import MAIZAL_SLUG, NETWORK_SLUG, demo_loaded, system_user

MARKER = "planta-harina-el-maizal"


class Writer(Protocol):
    def write(self, text: str) -> object: ...


@dataclass(frozen=True)
class UnitSpec:
    slug: str
    name: str
    parent: str
    form: str
    sector: str
    makes: tuple[str, ...]


UNITS = (
    UnitSpec(
        MARKER,
        "Planta Procesadora de Harina El Maizal",
        MAIZAL_SLUG,
        "epsdc",
        "Agroindustria",
        ("harina-maiz", "maiz-grano", "semilla-maiz"),
    ),
    UnitSpec(
        "upf-siembra-sarare",
        "UPF Siembra Sarare",
        MAIZAL_SLUG,
        "upf",
        "Agricultura",
        ("semilla-maiz", "caraota-negra"),
    ),
    UnitSpec(
        "cooperativa-cafe-che-guevara",
        "Cooperativa de Café Che Guevara",
        "che-guevara",
        "cooperative",
        "Café",
        ("cafe-verde", "cafe-tostado"),
    ),
    UnitSpec(
        "epsdc-cafe-la-grita",
        "EPSDC Café de Altura La Grita",
        "la-grita-cafetalera",
        "epsdc",
        "Café",
        ("cafe-verde",),
    ),
    UnitSpec(
        "epsdc-lacteos-queseras",
        "EPSDC Lácteos Queseras del Medio",
        "queseras-del-medio",
        "epsdc",
        "Lácteos",
        ("leche", "queso-blanco"),
    ),
    UnitSpec(
        "epsic-lacteos-zamora",
        "EPSIC Lácteos Ezequiel Zamora",
        "ezequiel-zamora",
        "epsic",
        "Lácteos",
        ("leche", "queso-blanco"),
    ),
    UnitSpec(
        "epsdc-abonos-ayaman",
        "EPSDC Abonos Orgánicos Tierra Ayamán",
        "tierra-ayaman",
        "epsdc",
        "Insumos agrícolas",
        ("abono-organico",),
    ),
    UnitSpec(
        "gis-semillas-piedemonte",
        "GIS Semillas del Piedemonte",
        "piedemonte-andino",
        "gis",
        "Semillas",
        ("semilla-caraota",),
    ),
)

# (agent slug, resource, quantity, unit, priority) of the planting-season cycle.
OFFERS = (
    (MARKER, "semilla-maiz", "8", "t", 5),
    (MARKER, "harina-maiz", "6000", "kg", 5),
    (MARKER, "maiz-grano", "20", "t", 5),
    ("upf-siembra-sarare", "semilla-maiz", "150", "saco-40kg", 5),
    ("cooperativa-cafe-che-guevara", "cafe-tostado", "1200", "kg", 5),
    ("cooperativa-cafe-che-guevara", "cafe-verde", "3000", "kg", 5),
    ("epsdc-cafe-la-grita", "cafe-verde", "2500", "kg", 5),
    ("epsdc-lacteos-queseras", "queso-blanco", "1500", "kg", 5),
    ("epsdc-lacteos-queseras", "leche", "8000", "l", 5),
    ("epsic-lacteos-zamora", "leche", "6000", "l", 5),
    ("epsic-lacteos-zamora", "queso-blanco", "900", "kg", 5),
    ("epsdc-abonos-ayaman", "abono-organico", "12", "t", 5),
    ("gis-semillas-piedemonte", "semilla-caraota", "2000", "kg", 5),
)
NEEDS = (
    ("pueblos-del-sur", "semilla-maiz", "2500", "kg", 9),
    ("pueblos-del-sur", "abono-organico", "3", "t", 7),
    ("pueblos-del-sur", "harina-maiz", "800", "kg", 6),
    ("pume-cunaviche", "semilla-maiz", "75", "saco-40kg", 10),
    ("pume-cunaviche", "semilla-caraota", "500", "kg", 8),
    ("pume-cunaviche", "harina-maiz", "1500", "kg", 8),
    ("frontera-viva", "abono-organico", "4000", "kg", 6),
    ("frontera-viva", "semilla-maiz", "1500", "kg", 8),
    ("canoabo-cacaotera", "abono-organico", "6", "t", 8),
    ("jose-leonardo-chirino", "semilla-maiz", "3000", "kg", 7),
    ("jose-leonardo-chirino", "abono-organico", "2500", "kg", 5),
    ("ataroa", "queso-blanco", "1200", "kg", 6),
    ("ataroa", "leche", "4000", "l", 7),
    ("ataroa", "cafe-tostado", "600", "kg", 4),
    ("los-curos", "leche", "3000", "l", 6),
    ("los-curos", "harina-maiz", "2000", "kg", 7),
    ("paramillo", "queso-blanco", "500", "kg", 5),
    ("paramillo", "harina-maiz", "1000", "kg", 6),
    (MAIZAL_SLUG, "cafe-tostado", "300", "kg", 3),
    (MAIZAL_SLUG, "queso-blanco", "400", "kg", 5),
    ("queseras-del-medio", "tubo-pvc", "120", "unidad", 6),
    ("ciudad-bolivia", "repuesto-tractor", "8", "unidad", 7),
)


def production_demo_loaded() -> bool:
    return ProductiveUnit.objects.filter(slug=MARKER).exists()


def load(stdout: Writer) -> None:
    """Load this module's demo data on top of the demo network; running it again changes
    nothing."""
    if not demo_loaded():
        stdout.write(
            "The demo network is not loaded (run `comuna seed-demo`): no production demo.\n"
        )
        return
    if production_demo_loaded():
        stdout.write("The production demo is already loaded: nothing to do.\n")
        return
    with transaction.atomic():
        line = _Builder().run()
    stdout.write(line + "\n")


class _Builder:
    def __init__(self) -> None:
        self.system = system_user()
        self.today = timezone.localdate()
        self.orgs: dict[str, Organisation] = {}
        self.resources: dict[str, ResourceSpecification] = {}
        self.units: dict[str, Unit] = {}

    def org(self, slug: str) -> Organisation:
        found = self.orgs.get(slug)
        if found is None:
            found = self.orgs[slug] = Organisation.objects.get(slug=slug)
        return found

    def run(self) -> str:
        actions.catalogue_seed(actor=self.system)
        self.resources = {r.slug: r for r in ResourceSpecification.objects.all()}
        self.units = {u.code: u for u in Unit.objects.all()}
        for spec in UNITS:
            unit = actions.productive_unit_register(
                actor=self.system,
                parent=self.org(spec.parent),
                name=spec.name,
                form=spec.form,
                sector=spec.sector,
                makes=[self.resources[slug] for slug in spec.makes],
                slug=spec.slug,
            )
            self.orgs[unit.slug] = unit
        member = Person.objects.filter(user__username="maizal-miembro").first()
        if member is not None:  # speaks for the flour plant: posts its offers, records events
            actions.productive_unit_member_add(
                actor=self.system,
                unit=ProductiveUnit.objects.get(slug=MARKER),
                person=member,
                role="spokesperson",
            )
        self._projects()
        national = self._national_cycle()
        local = self._maizal_cycle()
        commitments = Commitment.objects.filter(agreement__cycle=national).count()
        return (
            f"production: {len(UNITS)} productive units, cycles {national.pk} and {local.pk}, "
            f"{Proposal.objects.filter(cycle=national).count()} proposals, "
            f"{commitments} commitments"
        )

    def _projects(self) -> None:
        plan = "Plan Comunal de Desarrollo 2025-2027"
        planta = ProductiveUnit.objects.get(slug=MARKER)
        mill = actions.project_create(
            actor=self.system,
            unit=planta,
            name="Molino de harina precocida",
            status="active",
            plan=plan,
            starts_on=self.today - timedelta(days=400),
        )
        for direction, resource, quantity, unit in (
            ("input", "maiz-grano", "10", "t"),
            ("input", "saco-vacio", "400", "unidad"),
            ("output", "harina-maiz", "8000", "kg"),
        ):
            actions.project_flow_add(
                actor=self.system,
                project=mill,
                direction=direction,
                resource=self.resources[resource],
                quantity=quantity,
                unit=self.units[unit],
                period="month",
            )
        coffee = ProductiveUnit.objects.get(slug="cooperativa-cafe-che-guevara")
        roaster = actions.project_create(
            actor=self.system,
            unit=coffee,
            name="Tostadora comunal de café",
            status="active",
            plan=plan,
        )
        for direction, resource, quantity in (
            ("input", "cafe-verde", "1500"),
            ("output", "cafe-tostado", "1200"),
        ):
            actions.project_flow_add(
                actor=self.system,
                project=roaster,
                direction=direction,
                resource=self.resources[resource],
                quantity=quantity,
                unit=self.units["kg"],
                period="month",
            )

    def _post(self, cycle: SupplyCycle, kind: str, row: tuple[str, str, str, str, int]) -> None:
        agent, resource, quantity, unit, priority = row
        actions.intent_post(
            actor=self.system,
            kind=kind,
            owner=self.org(agent),
            cycle=cycle,
            resource=self.resources[resource],
            quantity=quantity,
            unit=self.units[unit],
            priority=priority,
            terms="barter" if kind == "offer" else "communal_currency",
        )

    def _allocate(self, cycle: SupplyCycle) -> SupplyCycle:
        # Queued through the action (audited); solved here rather than by the task it defers,
        # which then finds the cycle allocated and leaves it alone.
        actions.cycle_allocate_request(actor=self.system, cycle=cycle)
        planning.allocate(cycle.pk)
        return SupplyCycle.objects.get(pk=cycle.pk)

    def _national_cycle(self) -> SupplyCycle:
        cycle = actions.cycle_open(
            actor=self.system,
            owner=self.org(NETWORK_SLUG),
            name="Ciclo de siembra 2026: semillas, abonos y alimentos",
            description=(
                "Intercambio entre comunas para la siembra de invierno: semilla de maíz y "
                "caraota, abono orgánico, y alimentos de las comunas productoras."
            ),
            opens_on=self.today - timedelta(days=20),
            collect_until=self.today - timedelta(days=6),
            deliver_by=self.today + timedelta(days=30),
        )
        for spec in UNITS:
            actions.cycle_join(actor=self.system, cycle=cycle, unit=self.org(spec.slug))  # type: ignore[arg-type]
        for row in OFFERS:
            self._post(cycle, "offer", row)
        for row in NEEDS:
            self._post(cycle, "need", row)
        cycle = self._allocate(cycle)
        proposals = list(
            Proposal.objects.filter(cycle=cycle, run=cycle.allocation_run).order_by("id")
        )
        for n, proposal in enumerate(proposals):
            provider = Decision.DECLINED if n == len(proposals) - 1 else Decision.ACCEPTED
            actions.proposal_decide(
                actor=self.system, proposal=proposal, decision=provider, side="provider"
            )
            if provider == Decision.ACCEPTED:
                actions.proposal_decide(
                    actor=self.system, proposal=proposal, decision="accepted", side="receiver"
                )
        actions.agreement_approve(
            actor=self.system,
            cycle=cycle,
            decision=(
                "Acta del Consejo de Economía Comunal de la Red, "
                f"{(self.today - timedelta(days=3)).strftime('%d/%m/%Y')}"
            ),
        )
        self._deliveries(cycle)
        return cycle

    def _deliveries(self, cycle: SupplyCycle) -> None:
        commitments = list(
            Commitment.objects.filter(agreement__cycle=cycle)
            .select_related("provider", "resource", "unit")
            .order_by("id")
        )
        harvested: set[tuple[int, int]] = set()
        for n, commitment in enumerate(commitments):
            key = (commitment.provider_id, commitment.resource_id)
            if key not in harvested:
                offered = Intent.objects.filter(
                    cycle=cycle,
                    owner_id=commitment.provider_id,
                    resource_id=commitment.resource_id,
                    kind="offer",
                ).aggregate(total=Sum("quantity_base"))["total"] or Decimal(0)
                base = commitment.resource.unit.base or commitment.resource.unit
                actions.event_record(
                    actor=self.system,
                    action="produce",
                    resource=commitment.resource,
                    quantity=max(offered, commitment.quantity_base),
                    unit=base,
                    receiver=commitment.provider,
                    occurred_at=timezone.now() - timedelta(days=5),
                    note="Cosecha y producción del ciclo",
                )
                harvested.add(key)
            if n % 3 == 2:
                continue  # still to deliver
            share = Decimal(1) if n % 3 == 0 else Decimal("0.5")
            actions.event_record(
                actor=self.system,
                action="transfer",
                resource=commitment.resource,
                quantity=(commitment.quantity * share).quantize(Decimal("0.001")),
                unit=commitment.unit,
                commitment=commitment,
                occurred_at=timezone.now() - timedelta(days=1),
                note="Entrega en el centro de acopio",
            )

    def _maizal_cycle(self) -> SupplyCycle:
        maizal = self.org(MAIZAL_SLUG)
        cycle = actions.cycle_open(
            actor=self.system,
            owner=maizal,
            name="Abastecimiento de El Maizal",
            description="Ciclo del Consejo de Economía Comunal de El Maizal para sus consejos.",
            opens_on=self.today - timedelta(days=2),
            collect_until=self.today + timedelta(days=10),
            deliver_by=self.today + timedelta(days=25),
        )
        for slug in (MARKER, "upf-siembra-sarare"):
            actions.cycle_join(actor=self.system, cycle=cycle, unit=self.org(slug))  # type: ignore[arg-type]
        councils = list(
            Organisation.objects.filter(parent=maizal, kind="council").order_by("name")[:3]
        )
        for row in (
            (MARKER, "harina-maiz", "1500", "kg", 5),
            ("upf-siembra-sarare", "semilla-maiz", "40", "saco-40kg", 5),
            ("upf-siembra-sarare", "caraota-negra", "600", "kg", 5),
        ):
            self._post(cycle, "offer", row)
        for n, council in enumerate(councils):
            self.orgs[council.slug] = council
            for row in (
                (council.slug, "harina-maiz", str(300 + 100 * n), "kg", 8 - n),
                (council.slug, "semilla-maiz", str(400 + 200 * n), "kg", 9 - n),
                (council.slug, "caraota-negra", "150", "kg", 6),
            ):
                self._post(cycle, "need", row)
        return cycle
