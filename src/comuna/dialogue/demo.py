"""The dialogue with government in the demo network, loaded after the registry's demo
(`load(stdout)`, called by `comuna seed-demo`; also `comuna seed-dialogue-demo`).

Real institutions (MPPCMS, Minaguas, Hidroven, Hidrolara, Hidroandes, Corpoelec, INTi,
governorships of Lara and Barinas, mayors' offices of Simón Planas and Barinas) with invented
cases: demands from the demo communes, a co-signed one that goes overdue, is escalated from
Hidrolara to Hidroven and answered late; answers on time and late; a very overdue land claim;
a private demand and a draft; a dialogue table in Sarare whose commitments are kept, late and
broken; transfers of competences in several phases, among them El Maizal taking over rubbish
collection in its parishes (completed, so the commune now runs that service).

Everything goes through the actions (statistics, timelines and audit events included), in one
transaction, with dates counted back from the day of loading and a fixed random generator.
Loading it again changes nothing; without the registry's demo it does nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.core.models import Organisation, Person
from comuna.dialogue import actions
from comuna.dialogue.models import Demand, PublicBody
from comuna.geography.models import State
from comuna.registry.demo import MAIZAL_SLUG, demo_loaded, system_user

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

SEED = 2018
CARACAS = ZoneInfo("America/Caracas")
MARKER_TITLE = "Rehabilitación del sistema de bombeo del acueducto de Sarare"
LARA_COMMUNES = (
    MAIZAL_SLUG,
    "negro-miguel",
    "ali-primera",
    "fabricio-ojeda",
    "ataroa",
    "luisa-caceres",
    "tamaca-productiva",
    "el-cuji",
    "telar-de-tintorero",
    "tierra-ayaman",
    "argimiro-gabaldon",
    "duaca-cafetalera",
    "valle-del-turbio",
)


@dataclass(frozen=True)
class BodySpec:
    slug: str
    name: str
    acronym: str
    level: str
    body_type: str
    parent: str = ""
    state: str = ""
    response_days: int = 20
    office: str = "Oficina de Atención al Ciudadano"
    website: str = ""


BODIES = (
    BodySpec(
        "mppcms",
        "Ministerio del Poder Popular para las Comunas y los Movimientos Sociales",
        "MPPCMS",
        "national",
        "ministry",
        website="https://www.mpcomunas.gob.ve",
    ),
    BodySpec(
        "minaguas",
        "Ministerio del Poder Popular de Atención de las Aguas",
        "Minaguas",
        "national",
        "ministry",
    ),
    BodySpec(
        "hidroven",
        "C.A. Hidrológica de Venezuela",
        "Hidroven",
        "national",
        "water_utility",
        parent="minaguas",
    ),
    BodySpec(
        "hidrolara",
        "Hidrológica del estado Lara",
        "Hidrolara",
        "state",
        "water_utility",
        parent="hidroven",
        state="VE-K",
    ),
    BodySpec(
        "hidroandes",
        "Hidrológica de los Andes",
        "Hidroandes",
        "state",
        "water_utility",
        parent="hidroven",
        state="VE-E",
    ),
    BodySpec(
        "mppee",
        "Ministerio del Poder Popular para la Energía Eléctrica",
        "MPPEE",
        "national",
        "ministry",
    ),
    BodySpec(
        "corpoelec",
        "Corporación Eléctrica Nacional",
        "Corpoelec",
        "national",
        "electricity_utility",
        parent="mppee",
    ),
    BodySpec(
        "corpoelec-lara",
        "Corpoelec, oficina comercial del estado Lara",
        "Corpoelec Lara",
        "state",
        "electricity_utility",
        parent="corpoelec",
        state="VE-K",
    ),
    BodySpec(
        "inti",
        "Instituto Nacional de Tierras",
        "INTi",
        "national",
        "agrarian_authority",
        response_days=30,
    ),
    BodySpec(
        "inti-ort-lara",
        "Oficina Regional de Tierras del estado Lara",
        "INTi Lara",
        "state",
        "agrarian_authority",
        parent="inti",
        state="VE-K",
        response_days=30,
    ),
    BodySpec(
        "gobernacion-lara",
        "Gobernación del estado Lara",
        "",
        "state",
        "state_government",
        state="VE-K",
    ),
    BodySpec(
        "gobernacion-barinas",
        "Gobernación del estado Barinas",
        "",
        "state",
        "state_government",
        state="VE-E",
    ),
    BodySpec(
        "alcaldia-simon-planas",
        "Alcaldía del municipio Simón Planas",
        "",
        "municipal",
        "mayors_office",
        parent="gobernacion-lara",
        state="VE-K",
        response_days=15,
        office="Dirección de Servicios Públicos, Sarare",
    ),
    BodySpec(
        "alcaldia-barinas",
        "Alcaldía del municipio Barinas",
        "",
        "municipal",
        "mayors_office",
        parent="gobernacion-barinas",
        state="VE-E",
        response_days=15,
    ),
)

#: Generated demands: body, topic, subjects, share answered, share of answers that are late.
PROFILES: tuple[tuple[str, str, tuple[str, ...], float, float], ...] = (
    (
        "hidrolara",
        "water",
        (
            "Fuga en la tubería matriz del sector {n}",
            "Sin suministro de agua en el sector {n}",
            "Baja presión en el sector {n}",
            "Cronograma de distribución con camión cisterna para el sector {n}",
        ),
        0.75,
        0.7,
    ),
    (
        "corpoelec-lara",
        "electricity",
        (
            "Transformador dañado en el sector {n}",
            "Alumbrado público apagado en el sector {n}",
            "Bajones de tensión en el sector {n}",
        ),
        0.85,
        0.35,
    ),
    (
        "alcaldia-simon-planas",
        "waste",
        (
            "Basura sin recoger en el sector {n}",
            "Bote ilegal de desechos en el sector {n}",
            "Contenedores para el sector {n}",
        ),
        0.9,
        0.2,
    ),
    (
        "inti-ort-lara",
        "land",
        (
            "Regularización de tierras productivas del sector {n}",
            "Carta agraria para los productores del sector {n}",
        ),
        0.4,
        0.85,
    ),
    (
        "gobernacion-lara",
        "roads",
        ("Bacheo de la vía agrícola del sector {n}", "Reparación del puente del sector {n}"),
        0.6,
        0.5,
    ),
)


@dataclass
class DemoCounts:
    bodies: int = 0
    demands: int = 0
    tables: int = 0
    commitments: int = 0
    transfers: int = 0

    def line(self) -> str:
        return (
            f"public bodies: {self.bodies}, demands: {self.demands}, dialogue tables: "
            f"{self.tables}, commitments: {self.commitments}, transfers: {self.transfers}"
        )


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


def dialogue_demo_loaded() -> bool:
    return Demand.objects.filter(title=MARKER_TITLE).exists()


def load(stdout: Writer, *, today: date | None = None) -> None:
    """Load the dialogue's demo (see the module's text); report on `stdout`."""
    if not demo_loaded():
        stdout.write("The demo network is not loaded (run `comuna seed-demo`): no dialogue demo.\n")
        return
    if dialogue_demo_loaded():
        stdout.write("The dialogue demo is already loaded: nothing to do.\n")
        return
    with transaction.atomic():
        counts = _Builder(today or timezone.localdate()).run()
    stdout.write(counts.line() + "\n")


class _Builder:
    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
        self.counts = DemoCounts()
        self.system = system_user()
        self.coordinator = User.objects.filter(username="maizal-coordinador").first()
        self.vocera = User.objects.filter(username="maizal-vocera").first()
        self.bodies: dict[str, PublicBody] = {}
        self.orgs: dict[str, Organisation] = {
            o.slug: o
            for o in Organisation.objects.filter(slug__in=[*LARA_COMMUNES, "ezequiel-zamora"])
        }

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def maizal_actor(self) -> AnyUser:
        return self.coordinator or self.system

    # Bodies --------------------------------------------------------------------------------

    def _bodies(self) -> None:
        states = {
            s.code: s for s in State.objects.filter(code__in={b.state for b in BODIES if b.state})
        }
        for spec in BODIES:
            found = PublicBody.objects.filter(slug=spec.slug).first()
            if found is None:
                found = actions.body_create(
                    actor=self.system,
                    slug=spec.slug,
                    name=spec.name,
                    acronym=spec.acronym,
                    level=spec.level,
                    body_type=spec.body_type,
                    parent=self.bodies.get(spec.parent),
                    state=states.get(spec.state),
                    response_days=spec.response_days,
                    contact_office=spec.office,
                    website=spec.website,
                    description="Ente real; los casos de la demostración son ficticios.",
                )
                self.counts.bodies += 1
            self.bodies[spec.slug] = found

    # Demands -------------------------------------------------------------------------------

    def demand(
        self,
        owner: str,
        body: str,
        topic: str,
        title: str,
        text: str,
        filed: int,
        *,
        actor: AnyUser | None = None,
        visibility: str = "public",
    ) -> Demand:
        demand = actions.demand_create(
            actor=actor or self.system,
            owner=self.orgs[owner],
            body=self.bodies[body],
            topic=topic,
            title=title,
            text=text,
            visibility=visibility,
            filed_on=self.ago(filed),
        )
        self.counts.demands += 1
        return demand

    def _story_demands(self) -> dict[str, Demand]:
        maizal = self.maizal_actor()
        made: dict[str, Demand] = {}
        # 1. Co-signed, overdue at Hidrolara, escalated to Hidroven, answered late there.
        water = self.demand(
            MAIZAL_SLUG,
            "hidrolara",
            "water",
            MARKER_TITLE,
            "Las comunas El Maizal y Negro Miguel, con el Movimiento de Pobladoras y Pobladores, "
            "plantean que la estación de bombeo del acueducto de Sarare trabaja con una sola "
            "bomba de las tres instaladas. Los sectores altos reciben agua un día de cada cinco. "
            "Solicitamos la sustitución de las dos bombas dañadas y un plan de mantenimiento.",
            95,
            actor=maizal,
        )
        actions.demand_cosign(
            actor=self.system, demand=water, organisation=self.orgs["negro-miguel"], on=self.ago(95)
        )
        movement = actions.movement_ensure(
            actor=self.system, name="Movimiento de Pobladoras y Pobladores"
        )
        actions.demand_cosign(actor=maizal, demand=water, organisation=movement, on=self.ago(94))
        actions.demand_acknowledge(
            actor=maizal, demand=water, on=self.ago(90), reference="HL-OAC-0412"
        )
        higher = actions.demand_escalate(
            actor=maizal,
            demand=water,
            on=self.ago(50),
            reason="Hidrolara no respondió en el plazo legal: se eleva a Hidroven.",
        )
        answer_day = self._late_answer_day(higher)
        actions.demand_answer(
            actor=maizal,
            demand=higher,
            on=answer_day,
            text="Hidroven asignó una bomba de 75 HP y ordenó a Hidrolara instalarla con la "
            "mesa técnica de agua de la comuna. La segunda bomba queda para el próximo trimestre.",
        )
        made["water"] = higher
        # 2. Corpoelec Lara answers in time; the commune declares it resolved.
        light = self.demand(
            MAIZAL_SLUG,
            "corpoelec-lara",
            "electricity",
            "Sustitución del transformador quemado del sector La Ceiba",
            "El transformador de 37,5 kVA que sirve a 40 viviendas del sector La Ceiba se quemó. "
            "Las familias están sin servicio eléctrico.",
            40,
            actor=maizal,
        )
        actions.demand_acknowledge(actor=maizal, demand=light, on=self.ago(38))
        actions.demand_answer(
            actor=maizal,
            demand=light,
            on=self.ago(30),
            text="Se instaló un transformador de 50 kVA, según el acta de la cuadrilla.",
        )
        actions.demand_resolve(
            actor=maizal, demand=light, on=self.ago(25), note="Servicio restablecido."
        )
        # 3. The land claim that nobody answers: very overdue.
        land = self.demand(
            MAIZAL_SLUG,
            "inti-ort-lara",
            "land",
            "Regularización de 120 hectáreas de la unidad de producción El Maizal",
            "La comuna trabaja estas tierras desde 2009. Solicitamos la carta agraria colectiva "
            "y el levantamiento topográfico pendiente desde la inspección de 2023.",
            150,
            actor=maizal,
        )
        actions.demand_acknowledge(
            actor=maizal, demand=land, on=self.ago(140), reference="ORT-LA-77"
        )
        made["land"] = land
        # 4. Barinas: a road demand still within its time.
        self.demand(
            "ezequiel-zamora",
            "gobernacion-barinas",
            "roads",
            "Reparación de la vialidad agrícola entre Santa Lucía y Los Guasimitos",
            "Doce kilómetros de vía de tierra sin mantenimiento impiden sacar la cosecha de maíz.",
            8,
        )
        # 5. Answered late by the mayor's office.
        waste = self.demand(
            "ali-primera",
            "alcaldia-simon-planas",
            "waste",
            "Cronograma de recolección de desechos en Gustavo Vega",
            "El camión no pasa desde hace un mes. Solicitamos un cronograma fijo y publicado.",
            70,
        )
        actions.demand_answer(
            actor=self.system,
            demand=waste,
            on=self.ago(35),
            text="La alcaldía publicó un cronograma de dos pasadas por semana.",
        )
        # 6. The request for the transfer of rubbish collection (linked to the transfer).
        transfer_request = self.demand(
            MAIZAL_SLUG,
            "mppcms",
            "transfer",
            "Transferencia a la comuna del servicio de recolección de desechos sólidos",
            "La comuna solicita asumir, con su empresa de propiedad social directa, la "
            "recolección de desechos en las parroquias Sarare y Buría.",
            430,
            actor=maizal,
        )
        actions.demand_answer(
            actor=maizal,
            demand=transfer_request,
            on=self.ago(415),
            text="El ministerio acompaña la transferencia y convoca a la alcaldía a una mesa.",
        )
        actions.demand_resolve(actor=maizal, demand=transfer_request, on=self.ago(410))
        made["transfer"] = transfer_request
        # 7. A private demand, 8. a draft, 9. a withdrawn one.
        self.demand(
            MAIZAL_SLUG,
            "alcaldia-simon-planas",
            "waste",
            "Información presupuestaria del servicio de aseo urbano",
            "Para la contraloría social: presupuesto ejecutado del servicio de aseo en 2024.",
            20,
            actor=maizal,
            visibility="unit",
        )
        actions.demand_create(
            actor=maizal,
            owner=self.orgs[MAIZAL_SLUG],
            body=self.bodies["gobernacion-lara"],
            topic="health",
            title="Dotación del ambulatorio rural de Sarare",
            text="Borrador para la próxima asamblea: medicamentos y un médico fijo.",
            file=False,
        )
        self.counts.demands += 1
        lights = self.demand(
            "negro-miguel",
            "corpoelec-lara",
            "electricity",
            "Alumbrado público de la calle principal de Buría",
            "Catorce luminarias apagadas.",
            60,
        )
        actions.demand_withdraw(
            actor=self.system,
            demand=lights,
            on=self.ago(45),
            reason="La comuna reparó las luminarias con su propia cuadrilla.",
        )
        return made

    def _late_answer_day(self, demand: Demand) -> date:
        assert demand.due_on is not None  # noqa: S101 - filed
        late = demand.due_on + timedelta(days=8)
        return min(late, self.today)

    def _generated_demands(self) -> None:
        """Ordinary demands of the Lara communes over the last 18 months."""
        owners = [slug for slug in LARA_COMMUNES if slug in self.orgs]
        for index in range(60):
            body, topic, subjects, answers, late_share = PROFILES[index % len(PROFILES)]
            filed_back = self.rng.randint(25, 540)
            subject = self.rng.choice(subjects).format(n=self.rng.randint(1, 24))
            owner = self.rng.choice(owners)
            demand = self.demand(
                owner,
                body,
                topic,
                subject,
                "Planteamiento aprobado en asamblea de ciudadanos y ciudadanas.",
                filed_back,
                actor=self.maizal_actor() if owner == MAIZAL_SLUG else None,
            )
            assert demand.filed_on is not None and demand.due_on is not None  # noqa: S101
            if self.rng.random() < 0.6:
                actions.demand_acknowledge(
                    actor=self.system,
                    demand=demand,
                    on=min(self.today, demand.filed_on + timedelta(days=self.rng.randint(1, 6))),
                )
            if self.rng.random() >= answers:
                continue
            if self.rng.random() < late_share:
                answered = demand.due_on + timedelta(days=self.rng.randint(1, 60))
            else:
                span = max(1, (demand.due_on - demand.filed_on).days)
                answered = demand.filed_on + timedelta(days=self.rng.randint(1, span))
            if answered > self.today:
                continue
            demand.refresh_from_db()
            actions.demand_answer(
                actor=self.system,
                demand=demand,
                on=max(answered, demand.acknowledged_on or answered),
                text="Respuesta del ente registrada por la comuna.",
            )
            if self.rng.random() < 0.4:
                actions.demand_resolve(
                    actor=self.system,
                    demand=demand,
                    on=min(self.today, answered + timedelta(days=self.rng.randint(1, 20))),
                )

    # Dialogue tables -----------------------------------------------------------------------

    def _at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), tzinfo=CARACAS)

    def _tables(self) -> None:
        maizal = self.maizal_actor()
        owner = self.orgs[MAIZAL_SLUG]
        table = actions.table_create(
            actor=maizal,
            owner=owner,
            title="Mesa de diálogo de servicios públicos del municipio Simón Planas",
            held_at=self._at(self.ago(75), 9),
            place="Casa comunal de Sarare",
            agenda="1. Agua: estación de bombeo y pozos.\n2. Alumbrado público.\n"
            "3. Recolección de desechos y transferencia del servicio a la comuna.",
            bodies=[
                self.bodies["alcaldia-simon-planas"],
                self.bodies["hidrolara"],
                self.bodies["corpoelec-lara"],
            ],
        )
        vocera = (
            Person.objects.filter(user=self.vocera).values_list("public_name", flat=True).first()
        )
        coordinator = (
            Person.objects.filter(user=self.coordinator)
            .values_list("public_name", flat=True)
            .first()
        )
        participants: list[tuple[str, str, str, Organisation | None]] = [
            ("community", vocera or "Vocera de El Maizal", "vocera del parlamento comunal", owner),
            ("community", coordinator or "Coordinador de El Maizal", "coordinador", owner),
            (
                "government",
                "Héctor Cauceancho",
                "director de servicios públicos",
                self.bodies["alcaldia-simon-planas"],
            ),
            ("government", "Marisol Pozohondo", "gerente de operaciones", self.bodies["hidrolara"]),
            (
                "government",
                "Julio Postealto",
                "jefe de distribución",
                self.bodies["corpoelec-lara"],
            ),
        ]
        for side, name, position, organisation in participants:
            actions.table_participant_add(
                actor=maizal,
                table=table,
                side=side,
                name=name,
                position=position,
                organisation=organisation,
            )
        actions.table_record(
            actor=maizal,
            table=table,
            status="held",
            minutes="Asistieron 42 voceros y voceras y tres entes. Se acordaron cinco "
            "compromisos con fecha; la comuna hará el seguimiento en su página.",
        )
        commitments: list[tuple[Organisation, str, int, int | None]] = [
            (self.bodies["hidrolara"], "Reparar la bomba del pozo 3 de Sarare", 45, 50),
            (
                self.bodies["corpoelec-lara"],
                "Reemplazar 12 luminarias en la avenida principal de Sarare",
                15,
                None,
            ),
            (
                self.bodies["alcaldia-simon-planas"],
                "Entregar en comodato un camión compactador a la comuna",
                40,
                None,
            ),
            (
                owner,
                "Entregar el censo de viviendas de los sectores La Ceiba y El Cardonal",
                60,
                62,
            ),
            (
                self.bodies["alcaldia-simon-planas"],
                "Instalar la mesa técnica de desechos sólidos con la comuna",
                -20,
                None,
            ),
        ]
        for responsible, what, due_back, done_back in commitments:
            commitment = actions.commitment_add(
                actor=maizal,
                table=table,
                responsible=responsible,
                what=what,
                due_on=self.ago(due_back),
            )
            if done_back is not None:
                actions.commitment_fulfil(
                    actor=maizal, commitment=commitment, on=self.ago(done_back)
                )
            self.counts.commitments += 1
        self.counts.tables += 1
        planned = actions.table_create(
            actor=maizal,
            owner=owner,
            title="Mesa de diálogo sobre tierras con el INTi",
            held_at=self._at(self.today + timedelta(days=10), 10),
            place="Sede de la Oficina Regional de Tierras, Barquisimeto",
            agenda="Carta agraria colectiva de El Maizal; inspecciones pendientes.",
            bodies=[self.bodies["inti-ort-lara"]],
        )
        actions.table_participant_add(
            actor=maizal,
            table=planned,
            side="community",
            name=vocera or "Vocera",
            organisation=owner,
        )
        self.counts.tables += 1

    # Transfers -----------------------------------------------------------------------------

    def _transfer(
        self,
        owner: str,
        body: str,
        title: str,
        description: str,
        *,
        service: str,
        steps: list[tuple[int, str]],
        demands: list[Demand] | None = None,
    ) -> None:
        actor: Any = self.maizal_actor() if owner == MAIZAL_SLUG else self.system
        started, *following = steps
        transfer = actions.transfer_create(
            actor=actor,
            owner=self.orgs[owner],
            title=title,
            kind="service",
            service=service,
            from_body=self.bodies[body],
            started_on=self.ago(started[0]),
            description=description,
            demands=demands or [],
        )
        for back, notes in following:
            actions.transfer_advance(actor=actor, transfer=transfer, on=self.ago(back), notes=notes)
        self.counts.transfers += 1

    def _transfers(self, made: dict[str, Demand]) -> None:
        self._transfer(
            MAIZAL_SLUG,
            "alcaldia-simon-planas",
            "Recolección de desechos sólidos en las parroquias Sarare y Buría",
            "La alcaldía transfiere a la empresa de propiedad social directa de El Maizal la "
            "recolección de desechos: rutas, un camión y el presupuesto de operación.",
            service="waste",
            steps=[
                (420, ""),
                (360, "Diagnóstico aprobado en asamblea: 9 rutas, 3.100 viviendas."),
                (300, "Plan de transferencia firmado con la alcaldía."),
                (220, "Presupuesto asignado para combustible y salarios de la cuadrilla."),
                (120, "La cuadrilla comunal recorre las 9 rutas dos veces por semana."),
                (
                    30,
                    "La contraloría social verificó seis meses de servicio: cumplida.",
                ),
            ],
            demands=[made["transfer"]],
        )
        self._transfer(
            MAIZAL_SLUG,
            "hidrolara",
            "Gestión comunitaria del acueducto rural de Sarare",
            "La mesa técnica de agua asume la operación de los pozos y la distribución.",
            service="water",
            steps=[
                (200, ""),
                (140, "Diagnóstico de pozos, bombas y redes."),
                (60, "Plan de transferencia acordado en la mesa de diálogo."),
                (20, "Presupuesto aprobado; comienza la ejecución."),
            ],
            demands=[made["water"]],
        )
        self._transfer(
            "negro-miguel",
            "hidrolara",
            "Sistema de agua potable de Buría",
            "Operación comunal del sistema de agua de Buría.",
            service="water",
            steps=[
                (500, ""),
                (440, "Diagnóstico."),
                (380, "Plan de transferencia."),
                (320, "Presupuesto."),
                (250, "Ejecución."),
                (90, "Contraloría social: servicio continuo; transferencia cumplida."),
            ],
        )
        self._transfer(
            "ezequiel-zamora",
            "corpoelec",
            "Alumbrado público de Santa Lucía",
            "Mantenimiento comunal del alumbrado público.",
            service="electricity",
            steps=[(30, "")],
        )

    def run(self) -> DemoCounts:
        missing = sorted({*LARA_COMMUNES, "ezequiel-zamora"} - set(self.orgs))
        if missing:
            raise RuntimeError("The demo network lacks these communes: " + ", ".join(missing))
        self._bodies()
        made = self._story_demands()
        self._generated_demands()
        self._tables()
        self._transfers(made)
        return self.counts
