"""A year of activity for the demo (`load_demo`), replayed through the real services.

Time is an input: the history covers the `months` before `until` (by default the day the
command runs, at 00:00 Lima), and every date comes from one seeded random generator, so the
same day and seed give the same demo. Events are kept in a queue by time and replayed in
order with the clock set to each event's moment (`time_machine`): the services get `now=` and
whatever they stamp themselves (`auto_now` fields, the scheduler's own clock) agrees.

Two periods:

* the **archive** (everything before the last `live_days`): finished cases only (rated,
  closed without rating, reclamo with code) written in bulk. They are pure history: no rule
  acts on a finished case any more (no plazo runs, no rating window is open, no reclamo can
  be generated), and replaying thousands of them through the services would take minutes.
  They carry the same rows the services write (case, timeline, solution, rating, reclamo)
  and their plazos come from the real business calendar. Their emails are not stored.
* the **live** period (the last `live_days`): every case, every answer, rating, reclamo,
  return, contingency window, daily file and scheduler pass goes through the services, as
  if people had clicked. What is still open at the end is what the trays show.

Consultas, escalations, surveys, suggestions and the inoperatividad register go through the
services over the whole year (they are few).

Emails: the history happened in the past. While it is replayed the task queue is a dummy
one (nothing is queued for the worker) and, at the end, every email the history wrote is
marked as sent at the moment it was written. The outbox shows them as sent; nobody is
emailed — not even the fictitious people (`@correo.demo.sgu.pe`), nor the demo citizen.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import time as _stopwatch
import unicodedata
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.test.utils import override_settings

from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role, User
from sgu.attention import services as attention
from sgu.attention.models import Escalation, QueryState, Survey
from sgu.cases import services as cases
from sgu.cases.models import Case, CaseEvent, Channel, Claim, ClaimState, Outcome, Rating, Solution
from sgu.cases.workflow import Action, State
from sgu.catalog.models import Office, Operator, Subcategory
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import DomainError
from sgu.core.principal import Principal
from sgu.notifications.models import OutboundEmail
from sgu.notifications.services import render_waiting
from sgu.outages import services as outages
from sgu.outages.demo import grant_channel_head, load_attention_points
from sgu.outages.models import OutageEvent
from sgu.reporting import rollups
from sgu.reporting.services import generate_daily_report
from sgu.service_requests import services as service_requests
from sgu.service_requests.demo import OperatorRequests
from sgu.service_requests.ingest import process_batch
from sgu.suggestions import services as suggestions
from sgu.suggestions.models import Suggestion, SuggestionState

SEED = 2026
CITIZEN_DOMAIN = "correo.demo.sgu.pe"
FILE_DAYS = 30  # days of bajas y migraciones reports (one file per operator and day)
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# Share of the cases and how each operator behaves (on time, late, never answers, returns).
OPERATORS = {
    "CLARO": {"share": 0.31, "on_time": 0.84, "late": 0.10, "returns": 0.02, "ack": 0.8},
    "MOVISTAR": {"share": 0.26, "on_time": 0.78, "late": 0.13, "returns": 0.03, "ack": 0.7},
    "ENTEL": {"share": 0.21, "on_time": 0.90, "late": 0.06, "returns": 0.02, "ack": 0.9},
    "BITEL": {"share": 0.22, "on_time": 0.70, "late": 0.17, "returns": 0.04, "ack": 0.5},
}

# How often each subcategory comes up (the most frequent SGU topics of 2024 first).
SUBCATEGORIES = {
    "cobro-no-reconocido-menor": 16,
    "cobro-no-reconocido-mayor": 3,
    "linea-bloqueada-sin-causa": 12,
    "no-desbloquean": 7,
    "baja-no-ejecutada": 9,
    "migracion-no-ejecutada": 7,
    "recarga-no-acreditada": 10,
    "servicio-no-solicitado": 9,
    "portabilidad-rechazada": 7,
    "sin-senal": 10,
    "chip-o-titular-no-solicitado": 4,
    "sin-codigo": 4,
    "info-reclamo": 2,
    "recibo-en-disputa": 1,
}

DESCRIPTIONS = {
    "recibo-en-disputa": "No estoy de acuerdo con el monto de mi último recibo y no quiero "
    "pagarlo mientras lo revisan.",
    "cobro-no-reconocido-menor": "En mi recibo aparece un cobro que no reconozco.",
    "cobro-no-reconocido-mayor": "Me cobraron un monto muy alto que no corresponde a mi plan.",
    "linea-bloqueada-sin-causa": "Mi línea fue bloqueada sin que yo lo pidiera.",
    "no-desbloquean": "Pedí el desbloqueo de mi equipo y sigue bloqueado.",
    "baja-no-ejecutada": "Pedí la baja de mi línea y me siguen cobrando.",
    "migracion-no-ejecutada": "Pedí cambiar de plan y no ejecutaron la migración.",
    "recarga-no-acreditada": "Hice una recarga y el saldo no llegó a mi línea.",
    "servicio-no-solicitado": "Me activaron un paquete adicional que nunca pedí.",
    "portabilidad-rechazada": "Mi portabilidad fue rechazada sin explicación.",
    "sin-senal": "No tengo señal en mi casa desde hace días; las llamadas se cortan.",
    "chip-o-titular-no-solicitado": "Alguien hizo una reposición de mi chip sin mi permiso.",
    "sin-codigo": "Fui a la tienda a reclamar y no me dieron código de reclamo.",
    "info-reclamo": "Quiero saber cómo presentar un reclamo y qué plazos tiene.",
}

SOLUTIONS = {
    Outcome.RESOLVED: [
        "Se verificó el caso y se corrigió el problema; el servicio quedó normalizado.",
        "Se devolvió el importe cobrado indebidamente en el siguiente recibo.",
        "Se ejecutó lo solicitado y se confirmó con el usuario por llamada.",
        "Se reactivó la línea y se envió SMS de confirmación al usuario.",
    ],
    Outcome.NOT_RESOLVED: [
        "Se revisó el caso; el cobro corresponde a consumos registrados del usuario.",
        "La solicitud no procede según las condiciones del contrato.",
    ],
    Outcome.NOT_APPLICABLE: [
        "El usuario no es titular de la línea; se le indicó el procedimiento.",
    ],
}

COMMENTS = {
    5: ["Muy rápida la solución, gracias.", "Excelente atención.", ""],
    4: ["Resolvieron, aunque demoraron un poco.", ""],
    3: ["Regular, tuve que insistir.", ""],
    2: ["No me explicaron bien qué pasó.", ""],
    1: ["No resolvieron nada.", "Pésima atención, voy a reclamar."],
}

_FIRST_NAMES = (
    "María José Luis Carmen Juan Rosa Carlos Ana Jorge Lucía Miguel Elena Pedro Julia "
    "César Patricia Víctor Silvia Raúl Gloria Diego Sofía Manuel Teresa Renzo Milagros "
    "Hugo Pilar Alonso Fiorella Walter Yolanda Iván Marleny Edwin Katherine Óscar Nelly "
    "Piero Janet"
)
FIRST_NAMES = _FIRST_NAMES.split()
_LAST_NAMES = (
    "Quispe Flores Sánchez Rodríguez García Mamani Huamán Vásquez Rojas Chávez Ramírez "
    "Torres Mendoza Castillo Espinoza Gutiérrez Díaz Cruz Ccori Salazar Paredes Vargas "
    "Ríos Condori Apaza Ticona Palomino Zegarra Villanueva Cárdenas Ayala Lozano "
    "Bustamante Arias Meza"
)
LAST_NAMES = _LAST_NAMES.split()

# (subject, motive of the typification catalog, question). Seven, in this order: the
# history's random stream depends on how many there are.
QUERY_TOPICS = [
    (
        "Plazos de atención",
        "tramites-plazos",
        "¿Cuántos días tiene la operadora para responder mi problema?",
    ),
    (
        "Portabilidad",
        "tramites-portabilidad",
        "¿Cuánto demora una portabilidad y qué necesito para pedirla?",
    ),
    ("Bajas", "tramites-bajas", "¿Cómo pido la baja de mi línea si la operadora no me la da?"),
    (
        "Reclamos",
        "legal-procedimiento",
        "¿Cómo apelo si la operadora declaró infundado mi reclamo?",
    ),
    ("Cobros", "tramites-cobros", "Me cobran un servicio que no contraté, ¿qué hago?"),
    ("Recargas", "tramites-cobros", "Mi recarga no llegó, ¿a quién acudo?"),
    (
        "Cobertura",
        "tramites-cobertura",
        "¿Dónde veo la cobertura de señal de cada operadora?",
    ),
]
QUERY_ANSWERS = [
    "Le explicamos el procedimiento y los plazos; puede registrar su problema en el SGU.",
    "Le indicamos los requisitos y el canal para presentar su solicitud.",
    "Le orientamos sobre sus derechos como usuario y los pasos a seguir.",
]
SUGGESTIONS = [
    ("atencion", "Sería útil atender también los sábados en la oficina de Arequipa."),
    ("sitio-web", "El formulario del sitio debería guardar lo escrito si se corta la conexión."),
    ("operadoras", "Las operadoras deberían informar el código de reclamo por SMS."),
    ("tarifas", "Publiquen una comparación de los planes prepago de cada operadora."),
    ("otro", "Gracias por la orientación por teléfono, fue muy clara."),
    ("atencion", "La espera en la oficina de Lima fue larga; pongan más ventanillas."),
    ("sitio-web", "Agreguen la opción de recibir avisos por WhatsApp."),
]


@contextmanager
def past_emails():
    """Whatever is written inside happened in the past: no task is queued for the worker,
    and every email written inside counts as sent when it was written."""
    last = OutboundEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with override_settings(TASKS=DUMMY_TASKS):
        yield
    render_waiting(after_id=last)  # no worker will: they were sent back then
    OutboundEmail.objects.filter(id__gt=last, sent_at__isnull=True).update(sent_at=F("created_at"))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def lima(d: date, at: time = time(0, 0)) -> datetime:
    return datetime.combine(d, at, tzinfo=LIMA)


def months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, 28))


@dataclass
class Staff:
    supervisor: User
    orientadores: list[User]  # one per office, the demo orientador (Lima) first
    especialista: User
    soporte: User
    agents: dict[str, User]
    admins: dict[str, User]


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    run: Callable = field(compare=False)


class History:
    def __init__(
        self,
        *,
        staff: Staff,
        citizen: User | None,
        until: date,
        months: int = 12,
        live_days: int = 60,
        per_day: float = 9.0,
        seed: int = SEED,
    ):
        self.staff = staff
        self.demo_citizen = citizen
        self.until = until
        self.end = lima(until)
        self.start_day = months_before(until, months)
        self.live_from = max(self.start_day, until - timedelta(days=live_days))
        self.per_day = per_day
        self.rng = random.Random(f"{seed}-{until.isoformat()}")
        # The quality review of legal consultas and the anonymous consultas draw from their
        # own stream, so the rest of the history stays the same.
        self.review_rng = random.Random(f"{seed}-{until.isoformat()}-review")
        self.calendar = load_calendar()
        self.queue: list[_Event] = []
        self._seq = itertools.count()
        self.operators = {o.code: o for o in Operator.objects.filter(code__in=OPERATORS)}
        self.subcategories = {
            s.code: s
            for s in Subcategory.objects.filter(code__in=SUBCATEGORIES).prefetch_related("fields")
        }
        self.offices = {o.code: o for o in Office.objects.all()}
        self.citizens: list[User] = []
        self.unconfirmed: list[User] = []
        self.claim_serial = Counter()
        self.clock = None
        self.counts = Counter()
        self.refusals = Counter()

    # --- the clock and the queue ---------------------------------------------------------------

    def at(self, when: datetime, run: Callable) -> None:
        """Do `run(now)` at `when` (only if it is before the end of the history)."""
        if when < self.end:
            heapq.heappush(self.queue, _Event(when, next(self._seq), run))

    def _replay(self) -> None:
        while self.queue:
            event = heapq.heappop(self.queue)
            self.clock.move_to(event.at)
            try:
                event.run(event.at)
            except DomainError as exc:
                self.refusals[f"{getattr(event.run, '__qualname__', '?')}: {exc}"[:120]] += 1
                # A planned step that no longer applies (the case moved meanwhile, e.g. a
                # contingency reopened it or it was returned): people would have been
                # refused too. The service rolled its own savepoint back.
                self.counts["refused"] += 1

    def run(self) -> Counter:
        start = lima(self.start_day, time(7, 0))
        emails = OutboundEmail.objects.count()
        with past_emails(), time_machine.travel(start, tick=False) as clock:
            self.clock = clock
            self._citizens(start)
            self._api_keys()
            tick = _stopwatch.monotonic()
            self._archive()
            self.counts["seconds_archive"] = round(_stopwatch.monotonic() - tick, 1)
            self._plan_live()
            self._plan_attention()
            self._plan_suggestions()
            self._plan_outages()
            self._plan_service_requests()
            self._plan_demo_citizen()
            self._plan_pending_return()
            tick = _stopwatch.monotonic()
            self._replay()
            self.counts["seconds_replay"] = round(_stopwatch.monotonic() - tick, 1)
            self.clock.move_to(self.end)
            # The statistics read rollups up to the day before the end; rebuild them all.
            rollups.refresh(full=True, now=self.end)
        self.counts["emails"] = OutboundEmail.objects.count() - emails
        return self.counts

    # --- people ----------------------------------------------------------------------------------

    def _person(self, i: int) -> dict:
        first = self.rng.choice(FIRST_NAMES)
        last = f"{self.rng.choice(LAST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return {
            "first_name": first,
            "last_name": last,
            "email": f"{_ascii(first)}.{_ascii(last.split()[0])}{i}@{CITIZEN_DOMAIN}",
            "document_type": "DNI",
            "document_number": f"{70_000_000 + i * 7:08d}",
            "phone": f"9{self.rng.randint(10_000_000, 99_999_999)}",
        }

    def _citizens(self, start: datetime) -> None:
        """The people who use the web and the app. Bulk: account rows only. Each password
        would cost PBKDF2 (about 0.3 s); these accounts cannot sign in (unusable password)
        and the demo citizen is the one to sign in with."""
        days = (self.until - self.start_day).days
        n = max(40, int(days * self.per_day * 0.55))
        unusable = make_password(None)
        rows = []
        for i in range(n):
            p = self._person(i)
            joined = start + timedelta(minutes=self.rng.randint(0, 60 * 24 * 20))
            rows.append(
                User(
                    username=p["email"],
                    password=unusable,
                    role=Role.CITIZEN,
                    date_joined=joined,
                    email_verified_at=None if i % 40 == 39 else joined + timedelta(minutes=9),
                    consent_at=joined,
                    consent_version="2024-01",
                    consent_channel="WEB",
                    **p,
                )
            )
        User.objects.bulk_create(rows, batch_size=500)
        people = list(User.objects.filter(email__endswith="@" + CITIZEN_DOMAIN).order_by("id"))
        self.citizens = [u for u in people if u.email_verified_at is not None]
        self.unconfirmed = [u for u in people if u.email_verified_at is None]
        self.counts["citizens"] = len(people)

    def _api_keys(self) -> None:
        """Each operator's back-end has a key (its raw value is shown once, to nobody here:
        `manage.py create_operator_key` makes one to use)."""
        for code, admin in self.staff.admins.items():
            accounts.create_operator_key(
                operator=self.operators[code],
                name="Sistema de atención al cliente (integración SGU)",
                created_by=admin,
            )

    # --- what a case is like ---------------------------------------------------------------------

    def _pick(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _operator_code(self) -> str:
        return self._pick({k: v["share"] for k, v in OPERATORS.items()})

    def _fields(self, sub: Subcategory, day: date) -> dict:
        out = {}
        for f in sub.fields.all():
            if not f.required and self.rng.random() < 0.5:
                continue
            if f.type == "DATE":
                out[f.name] = (day - timedelta(days=self.rng.randint(1, 10))).isoformat()
            elif f.type == "MONEY":
                big = sub.code == "cobro-no-reconocido-mayor"
                amount = self.rng.randint(2_700, 6_000) if big else self.rng.randint(5, 250)
                out[f.name] = f"{amount}.{self.rng.randint(0, 99):02d}"
            elif f.type == "CHOICE":
                out[f.name] = self.rng.choice(f.choices)
            elif f.name in ("codigo_pedido", "numero_recibo"):
                out[f.name] = f"P-{self.rng.randint(100_000, 999_999)}"
            elif f.name == "plan_destino":
                out[f.name] = self.rng.choice(["Plan Max 55.90", "Plan Libre 29.90"])
            elif f.name == "lugar":
                out[f.name] = self.rng.choice(["Av. Brasil 1200, Jesús María", "Cerro Colorado"])
            else:
                out[f.name] = "Paquete de datos adicional 5 GB"
        return out

    def _input(self, op: str, sub_code: str, day: date, number: str) -> cases.CaseInput:
        sub = self.subcategories[sub_code]
        return cases.CaseInput(
            operator=op,
            subcategory=sub_code,
            service_number=number,
            description=DESCRIPTIONS[sub_code],
            fields=self._fields(sub, day),
        )

    def _registered_at(self, d: date) -> datetime:
        hour = self.rng.choices(
            range(7, 23), weights=[2, 5, 8, 9, 9, 7, 6, 7, 8, 7, 6, 5, 4, 3, 2, 1]
        )
        return lima(d, time(hour[0], self.rng.randint(0, 59), self.rng.randint(0, 59)))

    def _cases_on(self, d: date) -> int:
        base = self.per_day * (1.0 if d.weekday() < 5 else 0.45)
        return max(0, int(self.rng.gauss(base, base * 0.25) + 0.5))

    # --- the archive: finished cases, in bulk ----------------------------------------------------

    def _archive(self) -> None:
        d = self.start_day
        while d < self.live_from:
            for _ in range(self._cases_on(d)):
                self._archived_case(self._registered_at(d))
            d += timedelta(days=1)
        self._flush_archive()

    _archive_rows: dict | None = None

    def _archived_case(self, registered: datetime) -> None:
        rows = self._archive_rows
        if rows is None:
            rows = self._archive_rows = {"cases": [], "later": []}
        rng, cal = self.rng, self.calendar
        op = self._operator_code()
        sub = self.subcategories[self._pick(SUBCATEGORIES)]
        citizen = rng.choice(self.citizens)
        profile = OPERATORS[op]
        deadline = cal.add_business_days(registered, sub.deadline_amount)
        case = Case(
            code=cases.next_case_code(year=registered.astimezone(LIMA).year),
            citizen=citizen,
            operator=self.operators[op],
            subcategory=sub,
            service=sub.service_code,
            channel=rng.choices([Channel.WEB, Channel.APP], weights=[3, 1])[0],
            service_number=citizen.phone,
            description=DESCRIPTIONS[sub.code],
            fields=self._fields(sub, registered.date()),
            state=State.REGISTERED,
            registered_at=registered,
            forwarded_at=registered,
            received_on=deadline.received_on,
            due_at=deadline.due_at,
            due_explanation=deadline.explanation(),
        )
        # A finished case: answered in time or late (the ones never answered ended as
        # reclamos), then rated, closed unrated, or turned into a reclamo with its code.
        if rng.random() < profile["on_time"] / (profile["on_time"] + profile["late"]):
            span = max(600, (deadline.due_at - registered).total_seconds() * 0.9)
            answered = registered + timedelta(seconds=rng.uniform(1800, span))
        else:
            answered = deadline.due_at + timedelta(hours=rng.uniform(1, 96))
        rows["cases"].append((case, citizen, answered, profile))

    def _flush_archive(self) -> None:
        rows = self._archive_rows or {"cases": []}
        if not rows["cases"]:
            return
        rng, cal = self.rng, self.calendar
        window = 10  # settings.SGU["RATING_WINDOW_BUSINESS_DAYS"]
        Case.objects.bulk_create([c for c, *_ in rows["cases"]], batch_size=500)
        events, solutions, ratings, claims = [], [], [], []
        updates = []
        for case, citizen, answered, profile in rows["cases"]:
            sub = case.subcategory
            agent = self.staff.agents[case.operator.code]
            who = principal_for_user(citizen)
            ev = [
                (case.registered_at, Action.REGISTER, who, "", State.REGISTERED, {}),
                (
                    case.registered_at,
                    Action.FORWARD,
                    cases.SYSTEM,
                    State.REGISTERED,
                    State.FORWARDED,
                    {"due_at": case.due_at.isoformat()},
                ),
            ]
            state = State.FORWARDED
            op_by = principal_for_user(agent)
            if rng.random() < profile["ack"]:
                # Taken into attention while still FORWARDED: before the plazo ends, when the
                # answer came late (the scheduler's pass would have made it OVERDUE first).
                until = min(answered, case.due_at)
                ack = case.registered_at + (until - case.registered_at) * rng.uniform(0.1, 0.6)
                ev.append((ack, Action.ACKNOWLEDGE, op_by, state, State.IN_PROGRESS, {}))
                case.acknowledged_at, state = ack, State.IN_PROGRESS
            on_time = answered <= case.due_at
            if not on_time:
                ev.append(
                    (
                        case.due_at + timedelta(minutes=6),  # the scheduler's next pass
                        Action.EXPIRE,
                        cases.SYSTEM,
                        state,
                        State.OVERDUE,
                        {"due_at": case.due_at.isoformat()},
                    )
                )
                state = State.OVERDUE
            outcome = rng.choices(list(SOLUTIONS), weights=[72, 20, 8])[0]
            ev.append(
                (
                    answered,
                    Action.ANSWER,
                    op_by,
                    state,
                    State.ANSWERED,
                    {"outcome": outcome, "on_time": on_time},
                )
            )
            solutions.append(
                Solution(
                    case=case,
                    outcome=outcome,
                    detail=rng.choice(SOLUTIONS[outcome]),
                    actions="",
                    executed_at=answered.astimezone(LIMA).date(),
                    responsible=f"Mesa de atención {case.operator.code.title()}",
                    recorded_at=answered,
                    recorded_by=agent,
                    on_time=on_time,
                    response_business_days=cal.business_days_taken(case.received_on, answered),
                )
            )
            case.answered_at = answered
            case.rating_due_at = cal.add_business_days(answered, window).due_at
            state = State.ANSWERED
            if rng.random() < 0.62:
                rated = answered + timedelta(hours=rng.uniform(2, 150))
                resolved = rng.random() < (0.9 if outcome == Outcome.RESOLVED else 0.08)
                score = (
                    rng.choices([5, 4, 3], weights=[5, 3, 1])[0]
                    if resolved
                    else rng.choices([1, 2, 3], weights=[4, 3, 1])[0]
                )
                ev.append(
                    (
                        rated,
                        Action.RATE,
                        who,
                        state,
                        State.RATED,
                        {"resolved": resolved, "score": score},
                    )
                )
                ratings.append(
                    Rating(
                        case=case,
                        resolved=resolved,
                        score=score,
                        comment=rng.choice(COMMENTS[score]),
                        rated_at=rated,
                    )
                )
                state = State.RATED
                if not resolved and _may_claim(sub) and rng.random() < 0.6:
                    state = self._archived_claim(case, citizen, rated, op_by, who, ev, claims)
            else:
                ev.append(
                    (
                        case.rating_due_at + timedelta(minutes=5),
                        Action.CLOSE,
                        cases.SYSTEM,
                        state,
                        State.CLOSED,
                        {"rated": False},
                    )
                )
                case.closed_at = case.rating_due_at + timedelta(minutes=5)
                state = State.CLOSED
            case.state = state
            updates.append(case)
            for at, kind, by, src, dst, data in ev:
                events.append(
                    CaseEvent(
                        case=case,
                        at=at,
                        kind=kind,
                        actor=by.user,
                        actor_role=by.actor_role,
                        from_state=src,
                        to_state=dst,
                        data=data,
                        note="Venció el plazo sin respuesta de la operadora."
                        if kind == Action.EXPIRE
                        else (
                            "Cerrado sin calificación: venció el plazo para calificar."
                            if kind == Action.CLOSE
                            else ""
                        ),
                    )
                )
        Case.objects.bulk_update(
            updates,
            ["state", "acknowledged_at", "answered_at", "rating_due_at", "closed_at"],
            batch_size=500,
        )
        # `updated_at` is auto_now: put it back to the case's last moment.
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        Solution.objects.bulk_create(solutions, batch_size=500)
        Rating.objects.bulk_create(ratings, batch_size=500)
        Claim.objects.bulk_create(claims, batch_size=500)
        last = {e.case_id: e.at for e in sorted(events, key=lambda e: e.at)}
        for case in updates:
            case.updated_at = last[case.pk]
        Case.objects.bulk_update(updates, ["updated_at"], batch_size=500)
        self.counts["archived_cases"] = len(updates)
        self._archive_rows = None

    def _archived_claim(self, case, citizen, at, op_by, who, ev, claims) -> str:
        rng, cal = self.rng, self.calendar
        sub = case.subcategory
        amount = cases.claim_amount(case)
        requested = at + timedelta(hours=rng.uniform(1, 72))
        code_due = cal.add_business_hours(
            requested, settings.SGU["CLAIM_CODE_BUSINESS_HOURS"]
        ).due_at
        late = rng.random() < 0.12
        coded = (
            code_due + timedelta(hours=rng.uniform(1, 30))
            if late
            else requested + (code_due - requested) * rng.uniform(0.05, 0.9)
        )
        days = cases.claim_resolution_days(sub, amount, requested.astimezone(LIMA).year)
        code = self._claim_code(case.operator.code, requested)
        reason = "No estoy conforme con la respuesta de la operadora."
        ev.append((requested, Action.REQUEST_CLAIM, who, State.RATED, State.CLAIM_REQUESTED, {}))
        ev.append(
            (
                coded,
                Action.ASSIGN_CLAIM_CODE,
                op_by,
                State.CLAIM_REQUESTED,
                State.CLAIM_CODED,
                {"claim_code": code, "late": late},
            )
        )
        claims.append(
            Claim(
                case=case,
                operator=case.operator,
                state=ClaimState.CODED,
                holder_name=citizen.get_full_name(),
                holder_document_type=citizen.document_type,
                holder_document_number=citizen.document_number,
                service=case.service,
                service_number=case.service_number,
                reason=reason,
                request="Que se solucione el problema reportado.",
                amount=amount,
                notify_email=citizen.email,
                resolution_days=days,
                requested_at=requested,
                code_due_at=code_due,
                claim_code=code,
                coded_at=coded,
                coded_late=late,
                resolution_due_at=cal.add_business_days(requested, days).due_at,
            )
        )
        return State.CLAIM_CODED

    def _claim_code(self, op: str, at: datetime) -> str:
        self.claim_serial[op] += 1
        return f"R{op[:3]}-{at.astimezone(LIMA).year}-{self.claim_serial[op]:06d}"

    # --- the live period: every step through the services ----------------------------------------

    def _plan_live(self) -> None:
        d = self.live_from
        while d < self.until:
            for _ in range(self._cases_on(d)):
                self.at(self._registered_at(d), self._new_case)
            # The scheduler: plazos that passed, rating windows that closed (every few
            # minutes in production; once a night is enough for the history), and the
            # daily consolidated report at 06:00.
            self.at(lima(d, time(0, 5)), self._scheduler)
            self.at(lima(d, time(6, 0)), self._daily_report)
            d += timedelta(days=1)
        self._plan_contingency()

    def _scheduler(self, now: datetime) -> None:
        self.counts["expired"] += cases.expire_overdue_cases(now=now)
        self.counts["closed_unrated"] += cases.close_unrated_cases(now=now)
        service_requests.flag_missing_reports(now=now)

    def _daily_report(self, now: datetime) -> None:
        generate_daily_report(day=now.astimezone(LIMA).date() - timedelta(days=1), now=now)

    def _new_case(self, now: datetime) -> None:
        rng = self.rng
        op = self._operator_code()
        sub = self._pick(SUBCATEGORIES)
        channel = rng.choices(
            [Channel.WEB, Channel.APP, Channel.PRESENCIAL, Channel.TELEFONICO],
            weights=[50, 20, 18, 12],
        )[0]
        if channel in cases.ASSISTED_CHANNELS:
            case = self._assisted_case(now, op, sub, channel)
        else:
            waiting = rng.random() < 0.015 and self.unconfirmed
            citizen = rng.choice(self.unconfirmed if waiting else self.citizens)
            case = cases.register_case(
                citizen=citizen,
                data=self._input(op, sub, now.date(), citizen.phone),
                by=principal_for_user(citizen),
                channel=channel,
                now=now,
            )
        self.counts["cases"] += 1
        if case.state == State.FORWARDED:
            self._plan_operator(case)

    def _assisted_case(self, now: datetime, op: str, sub: str, channel: str) -> Case:
        rng = self.rng
        # The Lima office attends the most.
        weights = [4] + [1] * (len(self.staff.orientadores) - 1)
        agent = rng.choices(self.staff.orientadores, weights=weights)[0]
        if rng.random() < 0.35:
            known = rng.choice(self.citizens)
            person = cases.CitizenInput(
                document_type=known.document_type, document_number=known.document_number
            )
            number = known.phone
        else:
            self.counts["assisted_people"] += 1
            p = self._person(100_000 + self.counts["assisted_people"])
            p["email"] = p["email"].replace("@", ".of@")
            person = cases.CitizenInput(**p)
            number = p["phone"]
        case = cases.register_assisted_case(
            agent=agent,
            citizen=person,
            channel=channel,
            data=self._input(op, sub, now.date(), number),
            now=now,
        )
        self.counts["assisted"] += 1
        survey = Survey.objects.filter(case=case).first()
        if survey is not None and rng.random() < 0.4:
            self._answer_survey(survey, now)
        if case.state == State.REGISTERED and rng.random() < 0.9:
            # A new person confirms the address from the email they were sent; the case
            # then reaches the operator (accounts.confirm_email → forward_waiting_cases).
            self.at(now + timedelta(hours=rng.uniform(0.2, 30)), lambda t: self._confirm(case, t))
        return case

    def _confirm(self, case: Case, now: datetime) -> None:
        email = (
            OutboundEmail.objects.filter(to=case.citizen.email, template="confirm_email")
            .order_by("-id")
            .values_list("body_text", flat=True)
            .first()
        )
        token = re.search(r"/cuenta/confirmar/([^/\s]+)/", email or "")
        if token is None:
            return
        accounts.confirm_email(token=token.group(1), now=now)
        case.refresh_from_db()
        if case.state == State.FORWARDED:
            self._plan_operator(case)

    def _survey_draws(self) -> tuple[int, str, float]:
        score = self.rng.choices([5, 4, 3, 2, 1], weights=[8, 5, 2, 1, 1])[0]
        comment = self.rng.choice(["", "Muy amable la orientadora.", "Me explicaron todo."])
        return score, comment, self.rng.uniform(1, 72)

    def _answer_survey(self, survey: Survey, now: datetime, draws=None) -> None:
        score, comment, hours = draws or self._survey_draws()
        self.at(
            now + timedelta(hours=hours),
            lambda t: attention.answer_survey(
                survey=survey, score=score, comment=comment, via="LINK", now=t
            ),
        )

    def _plan_operator(self, case: Case) -> None:
        """What the operator will do with a case now in its tray."""
        rng = self.rng
        profile = OPERATORS[case.operator.code]
        by = principal_for_user(self.staff.agents[case.operator.code])
        start, due = case.forwarded_at, case.due_at
        if rng.random() < profile["returns"]:
            self.at(
                start + timedelta(hours=rng.uniform(1, 20)), lambda t: self._return(case, by, t)
            )
            return
        if rng.random() < profile["ack"]:
            self.at(
                start + (due - start) * rng.uniform(0.03, 0.12),
                lambda t: cases.acknowledge_case(case=case, by=by, now=t),
            )
        roll = rng.random()
        if roll < profile["on_time"]:
            when = start + (due - start) * rng.uniform(0.15, 0.97)
        elif roll < profile["on_time"] + profile["late"]:
            when = due + timedelta(hours=rng.uniform(1, 100))
        else:
            when = None  # never answered: it expires; the citizen may turn it into a reclamo
            if _may_claim(case.subcategory) and rng.random() < 0.5:
                self.at(
                    due + timedelta(hours=rng.uniform(8, 200)),
                    lambda t: self._claim(case, t, "La operadora no respondió en el plazo."),
                )
        if when is not None:
            self.at(when, lambda t: self._answer(case, by, t))

    def _answer(self, case: Case, by: Principal, now: datetime) -> None:
        rng = self.rng
        outcome = rng.choices(list(SOLUTIONS), weights=[72, 20, 8])[0]
        executed = max(case.registered_at, now - timedelta(hours=rng.uniform(0, 20)))
        cases.record_solution(
            case=case,
            data=cases.SolutionInput(
                outcome=outcome,
                detail=rng.choice(SOLUTIONS[outcome]),
                actions="Revisión del historial de la línea.",
                executed_at=executed.astimezone(LIMA).date(),
                responsible=f"Mesa de atención {case.operator.code.title()}",
            ),
            by=by,
            now=now,
        )
        self.counts["answered"] += 1
        if rng.random() < 0.62:
            resolved = rng.random() < (0.9 if outcome == Outcome.RESOLVED else 0.08)
            score = (
                rng.choices([5, 4, 3], weights=[5, 3, 1])[0]
                if resolved
                else rng.choices([1, 2, 3], weights=[4, 3, 1])[0]
            )
            self.at(
                now + timedelta(hours=rng.uniform(2, 150)),
                lambda t: self._rate(case, resolved, score, t),
            )
        elif outcome != Outcome.RESOLVED and _may_claim(case.subcategory) and rng.random() < 0.3:
            # "No estoy conforme" without rating first: one step, recorded as the rating.
            self.at(
                now + timedelta(hours=rng.uniform(2, 100)),
                lambda t: self._claim(
                    case, t, "No estoy conforme con la respuesta de la operadora.", score=1
                ),
            )

    def _rate(self, case: Case, resolved: bool, score: int, now: datetime) -> None:
        cases.rate_case(
            case=case,
            resolved=resolved,
            score=score,
            comment=self.rng.choice(COMMENTS[score]),
            by=principal_for_user(case.citizen),
            now=now,
        )
        self.counts["rated"] += 1
        if not resolved and _may_claim(case.subcategory) and self.rng.random() < 0.6:
            self.at(
                now + timedelta(hours=self.rng.uniform(1, 72)),
                lambda t: self._claim(case, t, "No estoy conforme con la respuesta."),
            )

    def _claim(self, case: Case, now: datetime, reason: str, score: int | None = None) -> None:
        claim = cases.request_claim(
            case=case, reason=reason, score=score, by=principal_for_user(case.citizen), now=now
        )
        self.counts["claims"] += 1
        rng = self.rng
        roll = rng.random()
        if roll < 0.85:
            when = now + (claim.code_due_at - now) * rng.uniform(0.05, 0.9)
        elif roll < 0.97:
            when = claim.code_due_at + timedelta(hours=rng.uniform(1, 30))
        else:
            return  # still waiting for its code
        by = principal_for_user(self.staff.agents[case.operator.code])
        self.at(
            when,
            lambda t: cases.assign_claim_code(
                claim=claim, claim_code=self._claim_code(case.operator.code, t), by=by, now=t
            ),
        )

    def _return(self, case: Case, by: Principal, now: datetime) -> None:
        cases.return_case(
            case=case,
            reason="El número no pertenece a un cliente de nuestra empresa.",
            by=by,
            now=now,
        )
        self.counts["returned"] += 1
        supervisor = principal_for_user(self.staff.supervisor)
        review = now + timedelta(hours=self.rng.uniform(4, 60))
        if review > self.end - timedelta(days=3):
            return  # the latest returns wait for the regulator's review

        def decide(t: datetime) -> None:
            if self.rng.random() < 0.6:
                others = [c for c in OPERATORS if c != case.operator.code]
                moved = cases.reassign_case(
                    case=case, operator_code=self.rng.choice(others), by=supervisor, now=t
                )
                self._plan_operator(moved)
            else:
                cases.confirm_return(
                    case=case,
                    note="Se verificó que la línea no pertenece a la operadora; se cierra.",
                    by=supervisor,
                    now=t,
                )

        self.at(review, decide)

    def _plan_contingency(self) -> None:
        """Two windows in the live period, registered by the supervisor the next day."""
        supervisor = principal_for_user(self.staff.supervisor)
        spans = [
            (21, time(9, 30), time(13, 0), "SGU", "", "Corte de energía en el centro de datos."),
            (
                38,
                time(14, 0),
                time(18, 30),
                "OPERATOR",
                "MOVISTAR",
                "La interfaz de la operadora con el SGU no respondió.",
            ),
        ]
        for back, a, b, scope, op, reason in spans:
            d = self.until - timedelta(days=back)
            while not self.calendar.is_business_day(d):
                d -= timedelta(days=1)
            if d < self.live_from:
                continue
            data = outages.WindowInput(
                starts_at=lima(d, a), ends_at=lima(d, b), scope=scope, operator=op, reason=reason
            )
            self.at(
                lima(d + timedelta(days=1), time(10, 15)),
                lambda t, data=data: self._window(data, supervisor, t),
            )

    def _window(self, data, by, now: datetime) -> None:
        result = outages.register_contingency_window(data=data, by=by, now=now)
        self.counts["contingency_windows"] += 1
        self.counts["contingency_extended"] += result.extended

    # --- the regulator's own attention -----------------------------------------------------------

    def _plan_attention(self) -> None:
        rng = self.rng
        d = self.start_day
        while d < self.until:
            if self.calendar.is_business_day(d):
                n = rng.randint(2, 5) if d >= self.live_from else rng.randint(0, 2)
                for _ in range(n):
                    self.at(self._registered_at(d).replace(hour=rng.randint(8, 16)), self._query)
            d += timedelta(days=1)

    def _query(self, now: datetime) -> None:
        rng = self.rng
        agent = rng.choice(self.staff.orientadores)
        topic, motive, question = rng.choice(QUERY_TOPICS)
        known = rng.random() < 0.5
        person = rng.choice(self.citizens) if known else None
        # The same draws as ever from the history's stream (it must not shift), in order.
        channel = rng.choice(["PRESENCIAL", "TELEFONICO", "WEB", "EMAIL", "APP"])
        name = (
            person.get_full_name()
            if person
            else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        )
        email = "" if person else rng.choice(["", f"consulta{now:%j%H%M}@{CITIZEN_DOMAIN}"])
        # Some people without an account or email decline to give their name: anonymous.
        anonymous = person is None and not email and self.review_rng.random() < 0.3
        query = attention.register_query(
            agent=agent,
            channel=channel,
            topic=topic,
            motive=motive,
            question=question,
            name="" if anonymous else name,
            anonymous=anonymous,
            document_type="DNI" if person else "",
            document_number=person.document_number if person else "",
            email=email,
            now=now,
        )
        self.counts["queries"] += 1
        if rng.random() < 0.82:
            hours = rng.uniform(0.2, 20) if rng.random() < 0.9 else rng.uniform(30, 70)
            self.at(now + timedelta(hours=hours), lambda t: self._answer_query(query, agent, t))
        else:
            self.at(
                now + timedelta(minutes=rng.uniform(10, 120)),
                lambda t: self._escalate(query, agent, t),
            )

    def _answer_query(self, query, agent, now: datetime) -> None:
        query = attention.answer_query(
            query=query, agent=agent, answer=self.rng.choice(QUERY_ANSWERS), now=now
        )
        if query.state == QueryState.REVIEW:
            # A legal consulta: the survey comes with the approved answer. Its draws are
            # taken now from the history's stream (as if answered), the review's from its own.
            will_rate = bool(query.email or query.citizen_id) and self.rng.random() < 0.45
            draws = self._survey_draws() if will_rate else None
            self._plan_review(query, agent, now, draws)
            return
        survey = Survey.objects.filter(query=query).first()
        if survey is not None and self.rng.random() < 0.45:
            self._answer_survey(survey, now)

    def _plan_review(self, query, agent, now: datetime, draws) -> None:
        """The quality supervisor reviews a legal draft within hours; one in four is returned
        with observations and sent again."""
        rng = self.review_rng
        supervisor = self.staff.supervisor

        def approve(t: datetime) -> None:
            attention.review_query(query=query, supervisor=supervisor, decision="APPROVE", now=t)
            survey = Survey.objects.filter(query=query).first()
            if survey is not None and draws is not None:
                self._answer_survey(survey, t, draws)

        def redo(t: datetime) -> None:
            attention.answer_query(query=query, agent=agent, answer=QUERY_ANSWERS[2], now=t)
            self.at(t + timedelta(hours=rng.uniform(0.5, 4)), approve)

        self._reviews = getattr(self, "_reviews", 0) + 1
        if self._reviews % 4 == 1:  # one in four is returned, the first one included
            self.at(
                now + timedelta(hours=rng.uniform(1, 5)),
                lambda t: attention.review_query(
                    query=query,
                    supervisor=supervisor,
                    decision="RETURN",
                    observations="Cite la norma aplicable y no opine sobre el caso concreto.",
                    now=t,
                ),
            )
            self.at(now + timedelta(hours=rng.uniform(6, 9)), redo)
        else:
            self.at(now + timedelta(hours=rng.uniform(0.5, 6)), approve)

    def _escalate(self, query, agent, now: datetime) -> None:
        rng = self.rng
        criticality = rng.choice(["ALTO", "MEDIO", "BAJO"])
        hop = attention.escalate(
            agent=agent,
            area_code="USUARIOS",
            criticality=criticality,
            complexity=rng.choice(["BAJA", "MEDIA", "ALTA"]),
            reason="Necesitamos el criterio del área sobre este caso.",
            query=query,
            now=now,
        )
        self.counts["escalations"] += 1
        especialista = self.staff.especialista
        roll = rng.random()
        days = rng.uniform(0.2, 1.0) * self.calendar_days(hop.max_business_days)
        if rng.random() < 0.15:
            days *= 1.8  # some answer late
        when = now + timedelta(days=days)
        if roll < 0.2:
            self.at(now + timedelta(hours=rng.uniform(2, 30)), lambda t: self._up(hop, t, agent))
        elif roll < 0.27:
            self.at(
                when,
                lambda t: attention.send_back(
                    escalation=hop,
                    user=especialista,
                    reason="Es una consulta general; la responde el 1.er nivel.",
                    now=t,
                ),
            )
            self.at(when + timedelta(hours=3), lambda t: self._answer_query(query, agent, t))
        else:
            self.at(when, lambda t: self._answer_hop(hop, especialista, agent, t))
            self._plan_take(hop, especialista, now, when)

    def _plan_take(self, hop: Escalation, user, now: datetime, answered: datetime) -> None:
        """The specialist takes the hop (the response clock's stop) some time before
        answering; drawn from the review stream so the history's stays the same."""
        if self.review_rng.random() < 0.85:
            taken = now + (answered - now) * self.review_rng.uniform(0.05, 0.6)
            self.at(
                taken,
                lambda t: attention.take_escalation(escalation=hop, user=user, now=t),
            )
            self._extensions = getattr(self, "_extensions", 0) + 1
            if self._extensions % 8 == 1:  # one in eight taken hops needs more time
                self.at(
                    taken + timedelta(hours=1),
                    lambda t: attention.extend_escalation(
                        escalation=hop,
                        user=user,
                        days=2,
                        reason="Esperamos información de la operadora para responder.",
                        now=t,
                    ),
                )

    @staticmethod
    def calendar_days(business_days: int) -> float:
        return business_days * 7 / 5

    def _answer_hop(self, hop: Escalation, user, first_level, now: datetime) -> None:
        attention.answer_escalation(
            escalation=hop,
            user=user,
            answer="El área revisó la consulta: corresponde orientar al usuario a reclamar.",
            now=now,
        )
        if hop.parent_id is None:
            later = now + timedelta(hours=self.rng.choice([1, 2, 5, 20]))
            self.at(
                later,
                lambda t: attention.inform_citizen(
                    escalation=hop,
                    user=first_level,
                    message="Le informamos la respuesta del área especializada.",
                    now=t,
                ),
            )

    def _up(self, hop: Escalation, now: datetime, first_level) -> None:
        top = attention.escalate_up(
            escalation=hop,
            user=self.staff.especialista,
            area_code="SOPORTE-TI",
            criticality=hop.criticality,
            complexity="ALTA",
            reason="Requiere revisar los registros del sistema.",
            now=now,
        )
        when = now + timedelta(days=self.rng.uniform(0.5, 4))
        self.at(when, lambda t: self._answer_hop(top, self.staff.soporte, first_level, t))
        self._plan_take(top, self.staff.soporte, now, when)
        self.at(
            when + timedelta(hours=4),
            lambda t: self._answer_hop(
                Escalation.objects.get(pk=hop.pk), self.staff.especialista, first_level, t
            ),
        )

    # --- suggestions -----------------------------------------------------------------------------

    def _plan_suggestions(self) -> None:
        d = self.start_day + timedelta(days=2)
        while d < self.until:
            self.at(self._registered_at(d), self._suggestion)
            d += timedelta(days=self.rng.randint(4, 9))

    def _suggestion(self, now: datetime) -> None:
        rng = self.rng
        topic, text = rng.choice(SUGGESTIONS)
        person = rng.choice(self.citizens)
        s = suggestions.submit_suggestion(
            data=suggestions.SuggestionInput(
                email=person.email, text=text, name=person.get_full_name(), topic=topic
            ),
            citizen=person,
            now=now,
        )
        self.counts["suggestions"] += 1
        by = principal_for_user(self.staff.supervisor)
        if rng.random() < 0.8:
            when = now + timedelta(days=rng.uniform(1, 12))

            def answer(t: datetime) -> None:
                fresh = Suggestion.objects.get(pk=s.pk)
                if fresh.state == SuggestionState.RECEIVED:
                    suggestions.route_suggestion(
                        suggestion=fresh, area_code="ORIENTACION", by=by, now=t
                    )
                suggestions.answer_suggestion(
                    suggestion=fresh,
                    answer="Gracias por su sugerencia; la evaluamos con el área responsable.",
                    actions="Se incluyó en el plan de mejora del trimestre."
                    if rng.random() < 0.4
                    else "",
                    by=by,
                    now=t,
                )

            self.at(when, answer)

    # --- inoperatividad register -----------------------------------------------------------------

    def _plan_outages(self) -> None:
        rng = self.rng
        start = lima(self.start_day, time(7, 30))
        self.points = {}
        for code in OPERATORS:
            by = principal_for_user(self.staff.admins[code])
            self.points[code] = [p.code for p in load_attention_points(by=by)]
            # Only the channel's head registers and closes events: the administrator holds
            # that duty in the demo history (sgu.site.demo_outreview adds the review roles).
            grant_channel_head(self.staff.admins[code])
        for code in OPERATORS:
            d = self.start_day + timedelta(days=rng.randint(1, 10))
            while d < self.until - timedelta(days=1):
                self.at(self._registered_at(d), lambda t, code=code: self._outage(code, t))
                d += timedelta(days=rng.randint(6, 16))
            # One still open at the end of the history, for each operator.
            opened = lima(self.until - timedelta(days=1), time(rng.randint(8, 18), 10))
            self.at(opened, lambda t, code=code: self._outage(code, t, keep_open=True))
        self.clock.move_to(start)

    def _outage(self, code: str, now: datetime, keep_open: bool = False) -> None:
        rng = self.rng
        by = principal_for_user(self.staff.admins[code])
        scenario = rng.choices(
            ["EVENTO_NO_PREVISTO", "FALLA_MASIVA", "ERROR_O_PRUEBA"], weights=[6, 3, 1]
        )[0]
        minutes = rng.uniform(20, 360)
        ended = now + timedelta(minutes=minutes)
        reason = (
            "ERROR_USUARIO"
            if scenario == "ERROR_O_PRUEBA"
            else rng.choice(
                ["SIN_FLUIDO_ELECTRICO", "INFRAESTRUCTURA"]
                if scenario == "EVENTO_NO_PREVISTO"
                else ["CONECTIVIDAD", "MANTENIMIENTO_APLICATIVOS", "FALLA_MASIVA_APLICATIVO"]
            )
        )
        justification = (
            "Registro de prueba hecho durante la capacitación del canal."
            if reason == "ERROR_USUARIO"
            else ""
        )
        data = {
            "attention_point": rng.choice(self.points[code]),
            "procedure_type": rng.choice(["RECLAMOS", "ALTAS", "BAJAS", "CONSULTAS"]),
            "scenario": scenario,
            "applications": [rng.choice(["SISACT-PREPAGO", "SICAR", "SIAC-UNICO", "SGA"])],
            "started_at": now,
        }
        manual = not keep_open and rng.random() < 0.2
        if manual:
            # A paper form regularised later (sometimes after the 3 business days).
            self.at(
                ended + timedelta(days=rng.choice([1, 2, 6])),
                lambda t: outages.register_outage(
                    data=outages.OutageInput(
                        **data,
                        manual=True,
                        ended_at=ended,
                        closing_reason=reason,
                        closing_justification=justification,
                    ),
                    by=by,
                    now=t,
                ),
            )
            self.counts["outages"] += 1
            return
        event = outages.register_outage(data=outages.OutageInput(**data), by=by, now=now)
        self.counts["outages"] += 1
        if not keep_open:
            self.at(
                ended + timedelta(minutes=rng.uniform(5, 90)),
                lambda t: outages.close_outage(
                    event=OutageEvent.objects.get(pk=event.pk),
                    ended_at=ended,
                    closing_reason=reason,
                    closing_justification=justification,
                    by=by,
                    now=t,
                ),
            )

    # --- bajas y migraciones ---------------------------------------------------------------------

    def _plan_service_requests(self) -> None:
        """Each operator's daily report over the live period: sent the next morning (a few
        late, a few days never sent), processed as the worker does."""
        documents = [c.document_number for c in self.citizens[:400]]
        if self.demo_citizen is not None:
            documents += [self.demo_citizen.document_number] * 3
        for code in OPERATORS:
            requests = OperatorRequests(
                prefix=code[:3], rng=random.Random(f"{code}-{self.until}"), per_day=14
            )
            by = principal_for_user(self.staff.agents[code])
            # From a week before the live period: the scheduler looks a week back for
            # days without a report.
            d = max(self.start_day, self.until - timedelta(days=FILE_DAYS + 8))
            while d < self.until:
                rows = requests.day(d, documents)
                roll = self.rng.random()
                if roll < 0.03:
                    d += timedelta(days=1)
                    continue  # never sent: flagged the next morning
                hour = self.rng.uniform(9, 20) if roll < 0.1 else self.rng.uniform(1, 7.5)
                sent = lima(d + timedelta(days=1)) + timedelta(hours=hour)
                self.at(
                    sent,
                    lambda t, rows=rows, d=d, by=by: self._report(rows, d, by, t),
                )
                d += timedelta(days=1)

    def _report(self, rows, day: date, by, now: datetime) -> None:
        batch, new = service_requests.receive_rows(rows=rows, report_date=day, by=by, now=now)
        if new:
            process_batch(batch.pk)
            self.counts["daily_files"] += 1

    # --- the demo citizen's own cases ------------------------------------------------------------

    def _plan_demo_citizen(self) -> None:
        """Rosa's cases end in the states a visitor wants to see: one still open, one waiting
        for her rating, one overdue (she may turn it into a reclamo), one reclamo with its
        code and form, one rated."""
        rosa = self.demo_citizen
        if rosa is None or rosa.cases.exists():
            return
        u = self.until
        me = principal_for_user(rosa)

        def register(op: str, sub: str, channel: str = Channel.WEB):
            def run(now: datetime) -> Case:
                return cases.register_case(
                    citizen=rosa,
                    data=self._input(op, sub, now.date(), rosa.phone),
                    by=me,
                    channel=channel,
                    now=now,
                )

            return run

        def on(d: date, hour: int) -> datetime:
            while not self.calendar.is_business_day(d):
                d -= timedelta(days=1)
            return lima(d, time(hour, 20))

        def answer(case_ref, outcome, when):
            agent = principal_for_user(self.staff.agents[case_ref["case"].operator.code])
            cases.record_solution(
                case=case_ref["case"],
                data=cases.SolutionInput(
                    outcome=outcome,
                    detail=SOLUTIONS[outcome][0],
                    actions="",
                    executed_at=when.astimezone(LIMA).date(),
                    responsible="Mesa de atención",
                ),
                by=agent,
                now=when,
            )

        plans = [
            ("CLARO", "cobro-no-reconocido-menor", 26, "rated"),
            ("MOVISTAR", "linea-bloqueada-sin-causa", 14, "claim"),
            ("CLARO", "servicio-no-solicitado", 9, "overdue"),
            ("ENTEL", "recarga-no-acreditada", 5, "answered"),
            ("BITEL", "sin-senal", 1, "open"),
        ]
        for op, sub, back, end in plans:
            when = on(u - timedelta(days=back), 10)
            if when < lima(self.live_from):
                when = lima(self.live_from, time(10))
            ref: dict = {}

            def start(now, op=op, sub=sub, end=end, ref=ref):
                ref["case"] = register(op, sub)(now)
                case = ref["case"]
                if end == "rated":
                    t = case.forwarded_at + (case.due_at - case.forwarded_at) / 3
                    self.at(t, lambda t, ref=ref: answer(ref, Outcome.RESOLVED, t))
                    self.at(
                        t + timedelta(days=1),
                        lambda t, ref=ref: cases.rate_case(
                            case=ref["case"],
                            resolved=True,
                            score=5,
                            comment="Me devolvieron el cobro, gracias.",
                            by=me,
                            now=t,
                        ),
                    )
                elif end == "claim":
                    # Never answered: it expires, and she turns it into a reclamo.
                    self.at(
                        case.due_at + timedelta(days=2),
                        lambda t, ref=ref: self._rosa_claim(ref["case"], me, t),
                    )
                elif end == "answered":
                    t = case.forwarded_at + (case.due_at - case.forwarded_at) / 2
                    self.at(t, lambda t, ref=ref: answer(ref, Outcome.NOT_RESOLVED, t))

            self.at(when, start)

    def _plan_pending_return(self) -> None:
        """However small the demo, each operator has a case waiting in its tray and the
        regulator a returned case to review."""
        last = self.until - timedelta(days=1)
        while not self.calendar.is_business_day(last):
            last -= timedelta(days=1)
        for i, code in enumerate(OPERATORS):
            person = self.citizens[i + 1]
            sub = ("sin-senal", "servicio-no-solicitado", "cobro-no-reconocido-menor")[i % 3]
            self.at(
                lima(last, time(15, 10 + i)),
                lambda t, code=code, person=person, sub=sub: cases.register_case(
                    citizen=person,
                    data=self._input(code, sub, t.date(), person.phone),
                    by=principal_for_user(person),
                    now=t,
                ),
            )
        person = self.citizens[0]
        when = lima(last, time(9, 40))

        def register(now: datetime) -> None:
            case = cases.register_case(
                citizen=person,
                data=self._input("ENTEL", "portabilidad-rechazada", now.date(), person.phone),
                by=principal_for_user(person),
                now=now,
            )
            by = principal_for_user(self.staff.agents["ENTEL"])
            self.at(
                now + timedelta(hours=3),
                lambda t: cases.return_case(
                    case=case,
                    reason="La línea es de otra operadora: la portabilidad nunca se solicitó "
                    "a Entel.",
                    by=by,
                    now=t,
                ),
            )

        self.at(when, register)

    def _rosa_claim(self, case: Case, me: Principal, now: datetime) -> None:
        claim = cases.request_claim(
            case=case,
            reason="La operadora no respondió en el plazo y mi línea sigue bloqueada.",
            by=me,
            now=now,
        )
        by = principal_for_user(self.staff.agents[case.operator.code])
        self.at(
            now + timedelta(minutes=40),
            lambda t: cases.assign_claim_code(
                claim=claim, claim_code=self._claim_code(case.operator.code, t), by=by, now=t
            ),
        )


def _may_claim(sub) -> bool:
    """A matter whose reclamo the SGU generates (claimable, no suspension of payments)."""
    return sub.claimable and not sub.suspends_payments


def history_exists() -> bool:
    """The history is written once: a database with cases already has its year."""
    return Case.objects.exists()
