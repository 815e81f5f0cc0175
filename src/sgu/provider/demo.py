"""Demo of the contact-centre provider (to be called by `load_demo`; idempotent): a provider
with its Experiencia Cliente team and operation, and about four months of requirements in every
stage — most closed (a few late), the recent ones in each open stage, one waiting for the
client's precisions — with their replicas, confirmations and evaluations. Everything goes
through the services, with the instants given, so the register and the reports are those the
platform would have produced."""

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from sgu.accounts.auth import principal_for_user as P
from sgu.accounts.models import Role, User
from sgu.accounts.services import create_staff_user
from sgu.core.calendar import LIMA, load_calendar
from sgu.knowledge.selectors import in_force
from sgu.provider import services
from sgu.provider.models import Provider, Stage

PROVIDER_CODE = "CONTACTA"
CLIENT_EMAIL = "supervisor@demo.sgu.pe"

TEAM = [
    (Role.PROVIDER_CX_SUPERVISOR, "experiencia@contacta.demo.sgu.pe", "Sofía", "Quispe"),
    (Role.PROVIDER_COORDINATOR, "coordinador@contacta.demo.sgu.pe", "Raúl", "Mendoza"),
    (Role.PROVIDER_TRAINER, "formadora@contacta.demo.sgu.pe", "Elena", "Vargas"),
    (Role.PROVIDER_TRAINER, "formador@contacta.demo.sgu.pe", "Jorge", "Castillo"),
    (Role.PROVIDER_OPS_SUPERVISOR, "operaciones@contacta.demo.sgu.pe", "Óscar", "Rojas"),
    (Role.PROVIDER_MONITOR, "monitor@contacta.demo.sgu.pe", "Mario", "Huamán"),
] + [
    (Role.PROVIDER_ADVISOR, f"asesor{i}@contacta.demo.sgu.pe", name, "Contacta")
    for i, name in enumerate(["Lucía", "Pedro", "Rosa", "Diego", "Carla", "Iván"], start=1)
]

TOPICS = [
    ("NEW_INFO", "Nuevo plazo de portabilidad numérica"),
    ("TRAINING", "Cobros por servicios no contratados"),
    ("REINFORCEMENT", "Registro de reclamos por recargas"),
    ("SYSTEM_ACCESS", "Acceso al SGU para nuevos asesores"),
    ("NEW_INFO", "Bajas del servicio sin penalidad"),
    ("SYSTEM_CHANGE", "Grabación de llamadas en el sistema del proveedor"),
    ("TRAINING", "Atención de usuarios con discapacidad"),
    ("REINFORCEMENT", "Velocidad mínima garantizada de internet"),
]

# Stages the most recent requirements stay in (newest first); every older one is closed.
OPEN_STAGES = [
    Stage.VALIDATION,
    Stage.OBSERVED,
    Stage.OPS_AWARENESS,
    Stage.FEASIBILITY,
    Stage.DEPLOYMENT_START,
    Stage.REPLICA,
    Stage.FINAL_REPORT,
]
HISTORY = 24  # requirements, about four months at a little over one a week


def load_provider_demo(*, password: str | None, now: datetime | None = None) -> Provider | None:
    """The demo provider CONTACTA with its team and requirements; nothing if it exists or if
    the demo regulator supervisor (the client) is missing."""
    if Provider.objects.filter(code=PROVIDER_CODE).exists():
        return None
    client = User.objects.filter(email=CLIENT_EMAIL).first()
    if client is None:
        client = create_staff_user(
            email=CLIENT_EMAIL,
            password=password,
            role=Role.REGULATOR_SUPERVISOR,
            first_name="Supervisora",
            last_name="Demo",
        )
    with transaction.atomic():
        return _load(client, password, now or timezone.now())


def _load(client: User, password: str | None, now: datetime) -> Provider:
    provider = services.create_provider(
        code=PROVIDER_CODE, name="Contacta Perú S.A.C.", ruc="20512345678"
    )
    people: dict[str, list[User]] = {}
    for role, email, first, last in TEAM:
        user = services.add_staff(
            provider=provider,
            email=email,
            password=password,
            role=role,
            first_name=first,
            last_name=last,
            now=now - timedelta(days=150),
        )
        people.setdefault(role, []).append(user)
    calendar = load_calendar()
    version = in_force().order_by("article_id").first()
    today = now.astimezone(LIMA).date()

    def at(day, hour: int) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=LIMA).replace(hour=hour)

    # Filing days: every 4 business days back from today, the oldest first.
    days = [today]
    while len(days) < HISTORY:
        d = days[-1]
        for _ in range(4):
            d = d - timedelta(days=1)
            while not calendar.is_business_day(d):
                d -= timedelta(days=1)
        days.append(d)
    days.reverse()
    for i, day in enumerate(days):
        from_end = HISTORY - 1 - i
        target = OPEN_STAGES[from_end] if from_end < len(OPEN_STAGES) else Stage.CLOSED
        type_, topic = TOPICS[i % len(TOPICS)]
        late = i % 5 == 2  # one in five: its operations supervisor takes knowledge late
        _one(
            provider, people, client, version, calendar, type_, topic, target, late,
            start=min(at(day, 9), now), now=now,
        )  # fmt: skip
    return provider


def _memo(title: str, lines: list[str]) -> bytes:
    """A one-page PDF, the regulator's memo that goes with a requirement."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _attach(req, client, name: str, title: str, lines: list[str], now: datetime) -> None:
    upload = SimpleUploadedFile(name, _memo(title, lines), "application/pdf")
    services.add_attachments(requirement=req, files=[upload], by=P(client), now=now)


def _one(provider, people, client, version, calendar, type_, topic, target, late, *, start, now):
    cx = P(people[Role.PROVIDER_CX_SUPERVISOR][0])
    trainer_user = people[Role.PROVIDER_TRAINER][len(topic) % 2]
    trainer = P(trainer_user)
    clock = {"t": start}

    def step(hours: float = 1, business_days: int = 0) -> datetime:
        t = clock["t"]
        for _ in range(business_days):
            t = datetime.combine(calendar.next_business_day(t.astimezone(LIMA).date()), t.timetz())
        t = t + timedelta(hours=hours)
        clock["t"] = min(t, now)
        return clock["t"]

    req = services.file_requirement(
        provider=provider,
        data=services.RequirementInput(
            type=type_,
            topic=topic,
            description=f"Se requiere que los asesores atiendan «{topic.lower()}» según el "
            "criterio vigente del regulador; el sustento está en la base de conocimiento.",
        ),
        by=P(client),
        now=start,
    )
    # The memo that goes with it: the criterion the advisors must apply.
    _attach(
        req,
        client,
        f"memorando-{req.code}.pdf",
        f"Memorando {req.code}",
        [f"Tema: {topic}.", "Criterio vigente del regulador que deben aplicar los asesores."],
        start,
    )
    if target == Stage.VALIDATION:
        return
    if target == Stage.OBSERVED or len(topic) % 3 == 0:
        req = services.observe(
            requirement=req,
            by=cx,
            questions="¿Desde qué fecha rige el criterio y aplica también a líneas prepago?",
            now=step(2),
        )
        if target == Stage.OBSERVED:
            return
        answered = step(1, business_days=1)
        _attach(
            req,
            client,
            f"precisiones-{req.code}.pdf",
            f"Precisiones al requerimiento {req.code}",
            ["Rige desde su publicación.", "Aplica a líneas prepago y postpago."],
            answered,
        )
        req = services.answer_observation(
            requirement=req,
            by=P(client),
            answer="Rige desde su publicación y aplica a prepago y postpago (se adjuntan).",
            now=answered,
        )
    req = services.accept(requirement=req, by=cx, now=step(1))
    if target == Stage.OPS_AWARENESS:
        return
    req = services.acknowledge(
        requirement=req,
        by=P(people[Role.PROVIDER_OPS_SUPERVISOR][0]),
        now=step(1, business_days=3 if late else 0),
    )
    if target == Stage.FEASIBILITY:
        return
    req = services.confirm_feasibility(
        requirement=req,
        by=cx,
        granted_days=20 if type_ == "SYSTEM_CHANGE" else None,
        note="Viable con los recursos actuales.",
        now=step(1),
    )
    if target == Stage.DEPLOYMENT_START:
        return
    req = services.start_deployment(requirement=req, by=cx, now=step(1))
    needs_replica = type_ not in ("SYSTEM_CHANGE", "SYSTEM_ACCESS")
    if needs_replica and version is not None:
        _replica(req, people, version, trainer_user, trainer, step, closed=target != Stage.REPLICA)
    if target == Stage.REPLICA or (needs_replica and version is None):
        return  # no article in force yet to replicate: the requirement waits in deployment
    req = services.complete_replica(
        requirement=req,
        by=trainer,
        now=step(1, business_days=15 if type_ == "SYSTEM_CHANGE" else 0),
    )
    if target == Stage.FINAL_REPORT:
        return
    services.report_final_status(
        requirement=req,
        by=cx,
        status="Réplica completada: todos los asesores confirmaron y aprobaron la evaluación.",
        now=step(2),
    )


def _replica(req, people, version, trainer_user, trainer, step, *, closed: bool):
    t = step(1)
    replica = services.plan_replica(
        requirement=req,
        article_version=version,
        memory_aid="Puntos clave: plazo, quién lo pide, qué registrar en el SGU y a quién "
        "consultar en caso de duda (supervisor de operaciones o monitor).",
        scheduled_for=t.astimezone(LIMA).date(),
        trainer=trainer_user,
        advisors=None,
        by=trainer,
        now=t,
    )
    services.schedule_evaluation(
        replica=replica,
        questions=[
            services.Question(
                "¿A quién consulta primero una duda?", ["Al monitor", "Al cliente"], 0
            ),
            services.Question("¿Dónde está el sustento?", ["Base de conocimiento", "Correo"], 0),
        ],
        pass_mark=100,
        max_attempts=2,
        opens_at=t,
        by=trainer,
        now=t,
    )
    services.start_replica(replica=replica, by=trainer, now=step(1))
    leads = people[Role.PROVIDER_OPS_SUPERVISOR] + people[Role.PROVIDER_MONITOR]
    advisors = people[Role.PROVIDER_ADVISOR]
    for person in leads:
        services.confirm_training(replica=replica, by=P(person), now=step(0.5))
    # An open replica stays half way; a closed one has everybody confirmed and passed.
    for n, person in enumerate(advisors if closed else advisors[: len(advisors) // 2]):
        services.confirm_training(replica=replica, by=P(person), now=step(0.25))
        if n == 0:  # the first one fails once and passes on the retry
            services.submit_evaluation(replica=replica, answers=[1, 0], by=P(person), now=step(0.1))
        services.submit_evaluation(replica=replica, answers=[0, 0], by=P(person), now=step(0.1))
