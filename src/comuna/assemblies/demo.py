"""The assemblies module's part of `comuna seed-demo`: the first National Assembly of Communes
(Sarare, Simón Planas, Lara, 25-26 August 2018), convened by Comuna El Maizal with the
national network, loaded on top of the demo network (`registry.demo`).

What it writes, through the actions (audit events included), in one transaction:

- the assembly `asamblea-nacional-2018`, national, in session (so that check-in, the
  speakers list and votes can be tried), with its two sessions and convenors;
- a delegation per demo commune (74): four delegates each, eight for El Maizal (300 in all),
  with mandates issued by their units; almost all credentials accepted, three waiting for the
  desk and two refused (an unsigned act, a mandate given by the wrong body); about nine in ten
  delegates checked in; `maizal-vocera` and `maizal-miembro` are delegates of El Maizal
  (numbers D001, D002), so they can ask for the floor and vote;
- guests from peasant movements of Brazil (MST) and Argentina (MNCI-Somos Tierra) and two
  observers from community media (no vote);
- the agenda (installation, reports, working groups with five sub-items, plenary, vote,
  election of the national spokespeople, declaration), speakers on the first items and one
  speaking now on "Debate y votación de propuestas", the plenary's current item;
- five working groups (production, public services, territorial plans, communication and
  education, communal land) with facilitator, rapporteur, members and a report;
- motions: one from each working group, one from a commune (Ataroa) and one that came up from
  the citizens' assembly of a council of El Maizal through the commune's parliament (forwarded,
  keeping its origin). The production motion (M-001) has three amendments by paragraph: one
  accepted (its text changed; the diff shows), one rejected, one still open. Motions M-001 to
  M-006 wait in state `debated` for the plenary's vote; a seventh was withdrawn.

Then the voting part (`demo_voting.load`) adds the polls and the election. After it, this
module finishes the record: if no motion was adopted by a poll (voting part absent), the
coordinator records the adoption of M-001 to M-004 as the plenary's decision; then the
declaration is drafted from the adopted motions, revised once, endorsed by the communes and
published; the minutes are generated and approved; the adopted motions become resolutions on
the follow-up board (some done, some late); and one adopted decision is sent back down to three
communes. Running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation

from comuna.assemblies import actions, queries
from comuna.assemblies.models import Assembly, Motion, Participant
from comuna.core.models import Organisation, OrganisationKind, Person
from comuna.registry.demo import (
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    MAIZAL_SLUG,
    NETWORK_SLUG,
    SURNAMES,
    demo_loaded,
    system_user,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

SLUG = "asamblea-nacional-2018"
SEED = 2018
CARACAS = ZoneInfo("America/Caracas")
START = date(2018, 8, 25)
END = date(2018, 8, 26)


class Writer(Protocol):
    def write(self, text: str) -> object: ...


def load(stdout: Writer) -> None:
    """Load this module's demo data on top of the demo network; running it again changes
    nothing."""
    from comuna.assemblies import demo_voting

    if not demo_loaded():
        stdout.write("The demo network is not loaded (run `comuna seed-demo`): no assembly.\n")
        return
    if Assembly.objects.filter(slug=SLUG).exists():
        stdout.write("The assemblies demo is already loaded: nothing to do.\n")
        demo_voting.load(stdout)
        return
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        builder = _Builder()
        builder.run()
    stdout.write(builder.line() + "\n")
    demo_voting.load(stdout)
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _Finisher().run()
    stdout.write("Assembly record finished: declaration, minutes and resolutions.\n")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CARACAS)


GROUPS = (
    (
        "produccion",
        "Producción y economía comunal",
        "Cadenas productivas entre comunas, insumos, semillas y distribución.",
    ),
    (
        "servicios",
        "Servicios públicos",
        "Agua, electricidad, gas y recolección de desechos en manos comunales.",
    ),
    (
        "planes",
        "Planes territoriales",
        "Planes comunales de desarrollo y agregación en ciudades comunales.",
    ),
    (
        "comunicacion",
        "Comunicación y formación",
        "Medios comunitarios y escuelas de formación comunera.",
    ),
    (
        "tierra",
        "Tierra comunal",
        "Tenencia de la tierra, conflictos agrarios y defensa de los predios recuperados.",
    ),
)

MOTIONS = {
    "produccion": (
        "Red nacional de semillas e insumos comunales",
        "Crear una red nacional de intercambio de semillas criollas e insumos entre las "
        "comunas, coordinada por los consejos de economía comunal.\n\n"
        "Cada comuna productora de semilla de maíz reservará una parte de su cosecha para "
        "las comunas que la necesiten.\n\n"
        "Los precios se fijarán en asamblea y se publicarán en la plataforma.",
    ),
    "servicios": (
        "Gestión comunal del agua",
        "Exigir la transferencia a las comunas de la operación de los acueductos rurales "
        "que hoy no reciben mantenimiento.\n\n"
        "Las mesas técnicas de agua llevarán el registro público de fallas y su atención.",
    ),
    "planes": (
        "Planes comunales de desarrollo en todas las comunas",
        "Cada comuna aprobará en asamblea su Plan Comunal de Desarrollo antes de diciembre "
        "de 2018.\n\n"
        "Las comunas vecinas coordinarán sus planes para formar ciudades comunales.",
    ),
    "comunicacion": (
        "Sistema de comunicación comunera",
        "Articular las radios y medios comunitarios de las comunas en un sistema de "
        "comunicación propio, con un boletín nacional quincenal.\n\n"
        "Crear una escuela itinerante de formación comunera.",
    ),
    "tierra": (
        "Defensa de las tierras recuperadas",
        "Acompañar desde toda la red a las comunas que enfrentan desalojos de tierras "
        "recuperadas.\n\n"
        "Exigir al Instituto Nacional de Tierras la regularización de los predios en "
        "producción comunal.",
    ),
}


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
        self.system = system_user()
        self.actor: AnyUser = (
            User.objects.filter(username="maizal-coordinador").first() or self.system
        )
        self.names: set[str] = set()
        self.counts = {"delegates": 0, "present": 0, "motions": 0, "amendments": 0}

    def line(self) -> str:
        return (
            f"Assembly {SLUG}: {self.counts['delegates']} delegates "
            f"({self.counts['present']} checked in), {self.counts['motions']} motions, "
            f"{self.counts['amendments']} amendments."
        )

    def name(self, female: bool) -> str:
        firsts = FIRST_NAMES_F if female else FIRST_NAMES_M
        while True:
            one, two = self.rng.sample(SURNAMES, 2)
            found = f"{self.rng.choice(firsts)} {one} {two}"
            if found not in self.names:
                self.names.add(found)
                return found

    def run(self) -> None:
        maizal = Organisation.objects.get(slug=MAIZAL_SLUG)
        self.assembly = actions.assembly_create(
            actor=self.actor,
            owner=maizal,
            title="Primera Asamblea Nacional de Comunas",
            slug=SLUG,
            scope="national",
            starts_on=START,
            ends_on=END,
            venue="Comuna El Maizal, Sarare, municipio Simón Planas, Lara",
            description=(
                "Más de trescientos voceros y voceras de 74 comunas se reúnen en la Comuna El "
                "Maizal para debatir en mesas de trabajo, aprobar propuestas y una declaración "
                "final."
            ),
            quorum_share="0.5",
        )
        network = Organisation.objects.filter(slug=NETWORK_SLUG).first()
        if network is not None:
            actions.convenor_add(actor=self.actor, assembly=self.assembly, organisation=network)
        for title, start, end in (
            ("Instalación y mesas de trabajo", at(START, 9), at(START, 18)),
            ("Plenaria y declaración final", at(END, 9), at(END, 16)),
        ):
            actions.session_add(
                actor=self.actor,
                assembly=self.assembly,
                title=title,
                starts_at=start,
                ends_at=end,
                venue="Galpón de la Comuna El Maizal",
            )
        actions.assembly_set_status(actor=self.actor, assembly=self.assembly, status="convened")
        actions.assembly_set_status(actor=self.actor, assembly=self.assembly, status="in_session")
        self._delegations(maizal)
        self._guests()
        self._agenda()
        self._groups()
        self._motions()

    # Participants -------------------------------------------------------------------------

    def _delegations(self, maizal: Organisation) -> None:
        communes = list(Organisation.objects.filter(kind=OrganisationKind.COMMUNE).order_by("name"))
        communes.sort(key=lambda c: c.slug != MAIZAL_SLUG)
        people = {
            u.username: Person.objects.filter(user=u).first()
            for u in User.objects.filter(username__in=["maizal-vocera", "maizal-miembro"])
        }
        self.delegates: list[Participant] = []
        pending = refused = 0
        for commune in communes:
            quota = 8 if commune.pk == maizal.pk else 4
            delegation = actions.delegation_invite(
                actor=self.actor,
                assembly=self.assembly,
                organisation=commune,
                quota=quota,
                instructions=(
                    "Llevar las propuestas aprobadas por el parlamento comunal y votar "
                    "según sus mandatos."
                ),
            )
            for seat in range(quota):
                female = self.rng.random() < 0.52
                person = None
                if commune.pk == maizal.pk and seat < 2:
                    person = people.get("maizal-vocera" if seat == 0 else "maizal-miembro")
                    female = person is not None and person.gender == Person.Gender.FEMALE
                delegate = actions.delegate_register(
                    actor=self.actor,
                    delegation=delegation,
                    person=person,
                    name="" if person is not None else self.name(female),
                    gender="female" if female else "male",
                    mandate_issued_on=date(2018, 8, self.rng.randint(5, 20)),
                    mandate_reference=(
                        f"Acta del parlamento comunal de {commune.name}, agosto de 2018"
                    ),
                    mandate_instructions=(
                        "Defender la propuesta de la comuna en la mesa de trabajo asignada."
                    ),
                )
                self.counts["delegates"] += 1
                roll = self.rng.random()
                if person is None and pending < 3 and roll < 0.02:
                    pending += 1
                    continue
                if person is None and refused < 2 and roll > 0.985:
                    refused += 1
                    actions.credential_decide(
                        actor=self.actor,
                        participant=delegate,
                        accept=False,
                        note=(
                            "El acta no trae las firmas de la asamblea."
                            if refused == 1
                            else "El mandato lo dio el consejo comunal, no el parlamento."
                        ),
                    )
                    continue
                actions.credential_decide(actor=self.actor, participant=delegate, accept=True)
                self.delegates.append(delegate)
                if person is not None or self.rng.random() < 0.9:
                    actions.participant_check_in(
                        actor=self.actor, assembly=self.assembly, code=delegate.number
                    )
                    self.counts["present"] += 1

    def _guests(self) -> None:
        for kind, name, affiliation, gender in (
            (
                "guest",
                "Marina dos Santos",
                "Movimento dos Trabalhadores Rurais Sem Terra (MST), Brasil",
                "female",
            ),
            (
                "guest",
                "João Pedro Campos",
                "Movimento dos Trabalhadores Rurais Sem Terra (MST), Brasil",
                "male",
            ),
            (
                "guest",
                "Ramona Quiroga",
                "Movimiento Nacional Campesino Indígena (MNCI-Somos Tierra), Argentina",
                "female",
            ),
            (
                "guest",
                "Diego Montenegro",
                "Movimiento Nacional Campesino Indígena (MNCI-Somos Tierra), Argentina",
                "male",
            ),
            ("observer", "Lucía Radiocomuna", "Radio comunitaria Maizal Estéreo", "female"),
            ("observer", "Pedro Tintalibre", "Periódico comunal Voz de Sarare", "male"),
        ):
            guest = actions.participant_add(
                actor=self.actor,
                assembly=self.assembly,
                kind=kind,
                name=name,
                affiliation=affiliation,
                gender=gender,
            )
            actions.participant_check_in(
                actor=self.actor, assembly=self.assembly, code=guest.number
            )

    # Agenda and speakers ------------------------------------------------------------------

    def _agenda(self) -> None:
        add = actions.agenda_item_add
        a = self.assembly
        self.items = {}
        self.items["opening"] = add(
            actor=self.actor, assembly=a, title="Instalación de la asamblea", duration_minutes=30
        )
        self.items["reports"] = add(
            actor=self.actor,
            assembly=a,
            title="Informe de las comunas por estado",
            duration_minutes=90,
        )
        groups = add(actor=self.actor, assembly=a, title="Mesas de trabajo")
        for _slug, topic, _desc in GROUPS:
            add(actor=self.actor, assembly=a, title=topic, parent=groups, duration_minutes=240)
        self.items["plenary"] = add(
            actor=self.actor,
            assembly=a,
            title="Plenaria: informes de las mesas",
            duration_minutes=120,
        )
        self.items["debate"] = add(
            actor=self.actor,
            assembly=a,
            title="Debate y votación de propuestas",
            duration_minutes=180,
        )
        add(
            actor=self.actor,
            assembly=a,
            title="Elección de la vocería nacional",
            duration_minutes=60,
        )
        add(actor=self.actor, assembly=a, title="Declaración final", duration_minutes=60)
        present = list(
            Participant.objects.filter(assembly=a, kind="delegate", present=True).order_by("number")
        )
        for key, count in (("opening", 3), ("reports", 8), ("plenary", 5)):
            item = self.items[key]
            actions.agenda_item_set_current(actor=self.actor, assembly=a, item=item)
            for speaker in self.rng.sample(present, count):
                actions.speaker_add(
                    actor=self.actor,
                    item=item,
                    participant=speaker,
                    stance=self.rng.choice(["for", "neutral", "neutral"]),
                )
            for _ in range(count):
                actions.speaker_next(actor=self.actor, item=item)
            actions.speaker_next(actor=self.actor, item=item)
        debate = self.items["debate"]
        actions.agenda_item_set_current(actor=self.actor, assembly=a, item=debate)
        for speaker, stance in zip(
            self.rng.sample(present, 4), ("for", "against", "for", "neutral"), strict=True
        ):
            actions.speaker_add(actor=self.actor, item=debate, participant=speaker, stance=stance)
        actions.speaker_next(actor=self.actor, item=debate)

    # Working groups and motions -----------------------------------------------------------

    def _groups(self) -> None:
        self.groups = {}
        pool = list(self.delegates)
        self.rng.shuffle(pool)
        size = len(pool) // len(GROUPS)
        for index, (slug, topic, description) in enumerate(GROUPS):
            members = pool[index * size : (index + 1) * size]
            group = actions.working_group_create(
                actor=self.actor,
                assembly=self.assembly,
                slug=slug,
                topic=topic,
                description=description,
                facilitator=members[0],
                rapporteur=members[1],
            )
            for member in members[2:]:
                actions.working_group_join(actor=self.actor, group=group, participant=member)
            actions.working_group_report(
                actor=self.actor,
                group=group,
                report=(
                    f"La mesa de {topic.lower()} sesionó con {len(members)} voceros y voceras. "
                    "Se recogieron las experiencias de cada comuna y se acordaron las "
                    "propuestas que se presentan a la plenaria."
                ),
            )
            self.groups[slug] = group

    def _motions(self) -> None:
        a = self.assembly
        motions: list[Motion] = []
        for slug, (title, text) in MOTIONS.items():
            motions.append(
                actions.motion_create(
                    actor=self.actor,
                    assembly=a,
                    title=title,
                    text=text,
                    working_group=self.groups[slug],
                    origin=Organisation.objects.get(slug=MAIZAL_SLUG) if slug == "tierra" else None,
                )
            )
        ataroa = Organisation.objects.filter(slug="ataroa").first()
        if ataroa is not None:
            motions.append(
                actions.motion_create(
                    actor=self.actor,
                    assembly=a,
                    title="Banco comunal nacional",
                    text=(
                        "Crear un banco comunal de segundo grado que reúna los fondos de los "
                        "bancos de las comunas para financiar proyectos socioproductivos."
                    ),
                    origin=ataroa,
                )
            )
        upward = self._motion_from_a_council()
        if upward is not None:
            motions.append(upward)
        withdrawn = actions.motion_create(
            actor=self.actor,
            assembly=a,
            title="Cambiar la sede de la próxima asamblea",
            text="Realizar la próxima asamblea en Caracas.",
        )
        actions.motion_transition(
            actor=self.actor,
            motion=withdrawn,
            state_code="withdrawn",
            note="Retirada por quien la propuso: se decidirá en la próxima asamblea.",
        )
        self.counts["motions"] = len(motions) + 1
        production = motions[0]
        for motion in motions:
            for supporter in self.rng.sample(self.delegates, 5):
                if not motion.supports.filter(participant=supporter).exists():
                    actions.motion_support(actor=self.actor, motion=motion, participant=supporter)
            actions.motion_transition(actor=self.actor, motion=motion, state_code="admitted")
        self._amendments(production)
        for motion in motions:
            actions.motion_transition(
                actor=self.actor,
                motion=motion,
                state_code="debated",
                note="Debatida en plenaria el 26 de agosto.",
            )

    def _amendments(self, motion: Motion) -> None:
        proposers = self.rng.sample(self.delegates, 3)
        texts = (
            (
                2,
                "Cada comuna productora de semilla de maíz, caraota y arroz reservará una parte "
                "de su cosecha para las comunas que la necesiten, sin intermediarios.",
                "Incluir otros rubros y evitar la reventa.",
                "accepted",
            ),
            (3, "", "Los precios no deben fijarse en esta propuesta.", "rejected"),
            (
                1,
                "Crear una red nacional de intercambio de semillas criollas e insumos entre las "
                "comunas, coordinada por los consejos de economía comunal y las mesas de "
                "producción de cada estado.",
                "Dar un papel a la coordinación estadal.",
                "",
            ),
        )
        for proposer, (paragraph, proposed, rationale, decision) in zip(
            proposers, texts, strict=True
        ):
            amendment = actions.amendment_propose(
                actor=self.actor,
                motion=motion,
                paragraph=paragraph,
                proposed=proposed,
                rationale=rationale,
                proposer=proposer,
            )
            self.counts["amendments"] += 1
            if decision:
                actions.amendment_decide(actor=self.actor, amendment=amendment, status=decision)

    def _motion_from_a_council(self) -> Motion | None:
        """A council's citizens' assembly sends a motion up to the commune parliament, which
        sends it on to the national assembly: the origin stays the council."""
        maizal = Organisation.objects.get(slug=MAIZAL_SLUG)
        council = (
            Organisation.objects.filter(parent=maizal, kind=OrganisationKind.COUNCIL)
            .order_by("name")
            .first()
        )
        if council is None:
            return None
        citizens = actions.assembly_create(
            actor=self.system,
            owner=council,
            title=f"Asamblea de ciudadanos y ciudadanas de {council.name}",
            slug=f"asamblea-ciudadanos-{council.slug}-2018",
            scope="citizens_assembly",
            starts_on=date(2018, 7, 28),
            ends_on=date(2018, 7, 28),
            venue="Escuela del sector",
        )
        parliament = actions.assembly_create(
            actor=self.actor,
            owner=maizal,
            title="Parlamento Comunal de El Maizal, sesión de agosto de 2018",
            slug="parlamento-el-maizal-2018-08",
            scope="commune_parliament",
            starts_on=date(2018, 8, 11),
            ends_on=date(2018, 8, 11),
            venue="Sede de la Comuna El Maizal",
        )
        first = actions.motion_create(
            actor=self.system,
            assembly=citizens,
            title="Transporte comunal para sacar la cosecha",
            text=(
                "Organizar entre las comunas una flota de transporte para sacar la cosecha "
                "sin depender de intermediarios.\n\n"
                "Los consejos comunales aportan el registro de sus productores."
            ),
        )
        up = actions.motion_forward(
            actor=self.system,
            motion=first,
            to_assembly=parliament,
            note="Aprobado elevarla al parlamento comunal.",
        )
        national = actions.motion_forward(
            actor=self.actor,
            motion=up,
            to_assembly=self.assembly,
            note="El parlamento comunal la lleva a la asamblea nacional.",
        )
        for assembly in (citizens, parliament):
            actions.assembly_set_status(actor=self.system, assembly=assembly, status="convened")
            actions.assembly_set_status(actor=self.system, assembly=assembly, status="in_session")
            actions.assembly_set_status(actor=self.system, assembly=assembly, status="closed")
        return national


class _Finisher:
    """After the votes: declaration, minutes, resolutions, a decision sent down."""

    def __init__(self) -> None:
        self.system = system_user()
        self.actor: AnyUser = (
            User.objects.filter(username="maizal-coordinador").first() or self.system
        )
        self.assembly = Assembly.objects.get(slug=SLUG)
        self.rng = random.Random(SEED + 1)  # noqa: S311 - invented data

    def run(self) -> None:
        if queries.declaration_of(self.assembly) is not None:
            return
        adopted = list(queries.adopted_motions(self.assembly))
        if not adopted:
            for motion in queries.motions(self.assembly, state="debated")[:4]:
                actions.motion_transition(
                    actor=self.actor,
                    motion=motion,
                    state_code="adopted",
                    note="Aprobada por la plenaria (registrada por la coordinación).",
                )
            adopted = list(queries.adopted_motions(self.assembly))
        if not adopted:
            return
        declaration = actions.declaration_draft(
            actor=self.actor,
            assembly=self.assembly,
            title="Declaración de Sarare",
            preamble=(
                "Las comuneras y los comuneros de 74 comunas, reunidos en la Comuna El Maizal "
                "los días 25 y 26 de agosto de 2018, declaramos:"
            ),
        )
        first = declaration.versions.get()
        actions.declaration_revise(
            actor=self.actor,
            declaration=declaration,
            text=first.text.replace(
                "declaramos:", "en la Primera Asamblea Nacional de Comunas, declaramos:"
            )
            + "\n\n¡Comuna o nada!",
            note="Redacción final leída en plenaria.",
        )
        communes = list(Organisation.objects.filter(kind=OrganisationKind.COMMUNE).order_by("name"))
        for commune in communes:
            if self.rng.random() < 0.85:
                actions.declaration_endorse(
                    actor=self.system, declaration=declaration, organisation=commune
                )
        actions.declaration_publish(actor=self.actor, declaration=declaration)
        minutes = actions.minutes_generate(actor=self.actor, assembly=self.assembly)
        actions.minutes_approve(
            actor=self.actor,
            minutes=minutes,
            basis="Aprobada por la plenaria al cierre del 26 de agosto de 2018, por aclamación.",
        )
        statuses = ["done", "in_progress", "blocked", "pending"]
        slugs = ["el-maizal", "ataroa", "ezequiel-zamora", "negro-miguel", "ali-primera"]
        responsibles = list(Organisation.objects.filter(slug__in=slugs).order_by("name"))
        for index, motion in enumerate(adopted):
            responsible = responsibles[index % len(responsibles)] if responsibles else motion.origin
            resolution = actions.resolution_create(
                actor=self.actor,
                assembly=self.assembly,
                title=motion.title,
                responsible=responsible,
                due_on=END + timedelta(days=90 * (index + 1)),
                motion=motion,
            )
            actions.resolution_update(
                actor=self.system,
                resolution=resolution,
                status=statuses[index % len(statuses)],
                note="Seguimiento de la coordinación nacional.",
            )
        for slug in ("negro-miguel", "ali-primera", "fabricio-ojeda"):
            unit = Organisation.objects.filter(slug=slug).first()
            if unit is not None:
                actions.motion_forward(
                    actor=self.actor,
                    motion=adopted[0],
                    to_body=unit,
                    note="Decisión de la asamblea nacional para ejecutar en la comuna.",
                )
