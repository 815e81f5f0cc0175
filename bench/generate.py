"""Generator of a realistic SGU database at scale: N cases (10 million by default) loaded by COPY.

What it does (see docs/benchmarks.md, "Bandeja a 10 millones"):

1. Drops and re-creates a PostgreSQL database (`sgu_bench10m` by default), migrates it and
   runs `load_demo` (operators, MOVIL catalog, the Lima office, demo accounts); adds seven
   regional offices, each with an orientador.
2. Drops the secondary indexes, unique and foreign-key constraints of the big tables
   (citizens, cases, solutions, ratings, claims) and remembers their definitions.
3. Streams, through COPY on four connections at once, M citizens and N cases in registration
   order over ~24 months ending now, with their solutions, ratings and claims:
   operators by market share (mobile lines), subcategories of the catalog with a skewed mix,
   channels (mostly WEB, some APP, PRESENCIAL and TELEFONICO at an office by its agent),
   plazos computed by the real business calendar (received day, due date and its
   explanation), states that follow the case life cycle (cases/workflow.py) as seen from "now" (old
   months answered, rated or closed; recent ones open; some overdue, a few returned; claims
   from overdue cases and unsatisfied ratings), response times in business days.
4. Adds the RETURN timeline events of the returned cases (the review tray shows them), sets
   every sequence and the yearly case correlatives so that the application keeps
   registering after the load, recreates the indexes and constraints, VACUUM ANALYZE.
5. Prints the time of each phase and the sizes; keeps them in the table `bench_generation`.

Usage: `.venv/bin/python bench/generate.py [--cases 10000000] [--citizens 1500000]`.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import re
import sys
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SRC_DIR = PROJECT_DIR / "src"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sgu_bench10m"

BIG_TABLES = ["accounts_user", "cases_case", "cases_solution", "cases_rating", "cases_claim"]

# Complaints roughly follow market size: millions of mobile lines in June 2025.
OPERATOR_SHARE = {"CLARO": 13.0, "MOVISTAR": 10.7, "BITEL": 10.1, "ENTEL": 9.7}
# The catalog's problems are not equally frequent: billing, coverage and top-ups lead.
SUBCATEGORY_WEIGHT = {
    "cobro-no-reconocido-menor": 20,
    "sin-senal": 14,
    "recarga-no-acreditada": 11,
    "servicio-no-solicitado": 9,
    "cobro-no-reconocido-mayor": 7,
    "portabilidad-rechazada": 7,
    "baja-no-ejecutada": 6,
    "linea-bloqueada-sin-causa": 6,
    "no-desbloquean": 4,
    "migracion-no-ejecutada": 4,
    "chip-o-titular-no-solicitado": 4,
    "sin-codigo": 4,
    "info-reclamo": 4,
}
CHANNEL_WEIGHT = {"WEB": 80, "APP": 8, "PRESENCIAL": 7, "TELEFONICO": 5}
REGIONAL_OFFICES = [
    # code, name, ubigeo, department, province, district, lat, lon, share of assisted cases
    (
        "AQP",
        "Oficina Arequipa",
        "040101",
        "Arequipa",
        "Arequipa",
        "Arequipa",
        "-16.39889",
        "-71.53500",
        10,
    ),
    ("CUS", "Oficina Cusco", "080101", "Cusco", "Cusco", "Cusco", "-13.53195", "-71.96746", 6),
    (
        "TRU",
        "Oficina Trujillo",
        "130101",
        "La Libertad",
        "Trujillo",
        "Trujillo",
        "-8.11599",
        "-79.02998",
        8,
    ),
    ("PIU", "Oficina Piura", "200101", "Piura", "Piura", "Piura", "-5.19449", "-80.63282", 7),
    (
        "CIX",
        "Oficina Chiclayo",
        "140101",
        "Lambayeque",
        "Chiclayo",
        "Chiclayo",
        "-6.77137",
        "-79.84088",
        6,
    ),
    (
        "HYO",
        "Oficina Huancayo",
        "120101",
        "Junín",
        "Huancayo",
        "Huancayo",
        "-12.06513",
        "-75.20486",
        5,
    ),
    ("IQT", "Oficina Iquitos", "160101", "Loreto", "Maynas", "Iquitos", "-3.74912", "-73.25383", 4),
]
LIMA_OFFICE_SHARE = 54
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 12, 11, 10, 11, 11, 11, 10, 10, 10, 9, 7, 4, 2]
FIRST = [
    "Rosa",
    "Juan",
    "María",
    "Luis",
    "Carmen",
    "José",
    "Ana",
    "Jorge",
    "Lucía",
    "Carlos",
    "Elena",
    "Miguel",
    "Sofía",
    "Pedro",
    "Julia",
    "Víctor",
    "Gloria",
    "Raúl",
    "Diana",
    "César",
]
LAST = [
    "Quispe",
    "Flores",
    "Sánchez",
    "Rodríguez",
    "García",
    "Mamani",
    "Huamán",
    "Chávez",
    "Torres",
    "Ramírez",
    "Vargas",
    "Rojas",
    "Castillo",
    "Mendoza",
    "Gutiérrez",
    "Díaz",
]
DESCRIPTIONS = {
    "cobro-no-reconocido-menor": "En mi recibo aparece un cobro de S/ {n}.90 que no reconozco.",
    "cobro-no-reconocido-mayor": "Me cobraron S/ {n}0.00 por un servicio que nunca contraté.",
    "sin-senal": "Desde hace {n} días no tengo señal en mi casa ni en el trabajo.",
    "recarga-no-acreditada": "Hice una recarga de S/ {n} y no se acreditó en mi saldo.",
    "servicio-no-solicitado": "Me activaron un servicio de suscripción que no pedí ({n} mensajes).",
    "portabilidad-rechazada": "Pedí portar mi número hace {n} días y la rechazaron sin motivo.",
    "baja-no-ejecutada": "Solicité la baja hace {n} días y me siguen cobrando.",
    "linea-bloqueada-sin-causa": "Mi línea amaneció bloqueada hace {n} días sin explicación.",
    "no-desbloquean": "Pedí el desbloqueo de mi equipo hace {n} días y no lo hacen.",
    "migracion-no-ejecutada": "Pedí migrar a un plan de S/ {n}.90 y no lo ejecutaron.",
    "chip-o-titular-no-solicitado": "Hicieron una reposición de chip que no pedí hace {n} días.",
    "sin-codigo": "Llamé {n} veces al 123 y no me dieron código de reclamo.",
    "info-reclamo": "Quiero saber cómo presentar un reclamo; me dieron {n} respuestas distintas.",
}
SOLUTION_TEXT = {
    "RESOLVED": "Se verificó el caso y se corrigió; se informó al usuario por llamada.",
    "NOT_RESOLVED": "Se revisó el caso; no fue posible corregirlo en este plazo.",
    "NOT_APPLICABLE": "El cobro corresponde a un servicio contratado; se envió el detalle.",
}
LIMA_OFFSET = timedelta(hours=-5)  # Peru has no daylight saving time


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def esc(text: str) -> str:
    """COPY text format: escape backslash, tab, newline, carriage return."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        sys.exit(f"nombre de base de datos no válido: {name!r}")
    return name, urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def recreate_database(url: str) -> None:
    import psycopg

    name, admin = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def pg_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


# --- timestamps as COPY text, fast ---------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_MINUTES: dict[int, str] = {}
_SECONDS = [f"{i:02d}+00" for i in range(60)]
_LIMA_DAYS: dict[int, date] = {}


def ts(seconds: float) -> str:
    """Epoch seconds → 'YYYY-MM-DD HH:MM:SS+00' (the minute's prefix is cached)."""
    s = int(seconds)
    minute, sec = divmod(s, 60)
    prefix = _MINUTES.get(minute)
    if prefix is None:
        prefix = (_EPOCH + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:")
        _MINUTES[minute] = prefix
    return prefix + _SECONDS[sec]


def epoch(dt: datetime) -> float:
    return (dt - _EPOCH).total_seconds()


def lima_date(seconds: float) -> date:
    n = int((seconds - 18000) // 86400)
    d = _LIMA_DAYS.get(n)
    if d is None:
        d = _LIMA_DAYS[n] = date(1970, 1, 1) + timedelta(days=n)
    return d


# --- the generator ------------------------------------------------------------------------------


class Generator:
    """Builds the COPY lines of cases and of their solutions, ratings and claims."""

    def __init__(self, args, refs: dict, now: datetime):
        from django.conf import settings

        from sgu.core.calendar import LIMA, load_calendar

        self.rng = random.Random(args.seed)
        self.cal = load_calendar()
        self.LIMA = LIMA
        self.now = now
        self.now_s = epoch(now)
        self.cutoff = self.cal.cutoff
        self.rating_days = settings.SGU["RATING_WINDOW_BUSINESS_DAYS"]
        self.claim_hours = settings.SGU["CLAIM_CODE_BUSINESS_HOURS"]
        self.prefix = settings.SGU["CASE_CODE_PREFIX"]
        self.refs = refs
        self.n_citizens = args.citizens
        self.first_citizen = refs["first_citizen_id"]
        ops = list(OPERATOR_SHARE.items())
        self.op_ids = [refs["operators"][c] for c, _ in ops]
        self.op_cum = list(itertools.accumulate(w for _, w in ops))
        subs = [s for s in refs["subcategories"] if s["code"] in SUBCATEGORY_WEIGHT]
        self.subs = subs
        self.sub_cum = list(itertools.accumulate(SUBCATEGORY_WEIGHT[s["code"]] for s in subs))
        self.channels = list(CHANNEL_WEIGHT)
        self.ch_cum = list(itertools.accumulate(CHANNEL_WEIGHT.values()))
        offices = refs["offices"]  # [(id, agent_id, share)]
        self.offices = offices
        self.office_cum = list(itertools.accumulate(o[2] for o in offices))
        self.hour_cum = list(itertools.accumulate(HOUR_WEIGHT))
        self.claim_codes = dict.fromkeys(self.op_ids, 0)
        self.year_numbers: dict[int, int] = {}
        self.ids = {"case": 0, "solution": 0, "rating": 0, "claim": 0}
        self.counts = {}

    # choices
    def pick(self, cum: list, items: list):
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    # calendar, cached
    @cache  # noqa: B019 - one generator per run
    def deadline(self, day: date, after_cutoff: bool, amount: int):
        from datetime import time as dtime

        t = dtime(23, 7) if after_cutoff else dtime(3, 7)
        local = datetime.combine(day, t, tzinfo=self.LIMA)
        dl = self.cal.add_business_days(local, amount)
        marker = "a las 23:07 (" if after_cutoff else "a las 03:07 ("
        text = esc(dl.explanation())
        head, tail = text.split(marker, 1)
        return dl.received_on.isoformat(), epoch(dl.due_at), head, tail, dl.received_on

    @cache  # noqa: B019
    def bdays(self, start: date, end: date) -> int:
        return max(0, self.cal.business_days_between(start, end))

    @cache  # noqa: B019
    def plus_bdays(self, day: date, after_cutoff: bool, n: int) -> float:
        from datetime import time as dtime

        t = dtime(23, 7) if after_cutoff else dtime(3, 7)
        return epoch(
            self.cal.add_business_days(datetime.combine(day, t, tzinfo=self.LIMA), n).due_at
        )

    def after_cutoff(self, seconds: float) -> bool:
        local = seconds - 5 * 3600
        sec_of_day = local % 86400
        return sec_of_day >= self.cutoff.hour * 3600 + self.cutoff.minute * 60

    def code_due(self, seconds: float) -> float:
        at = _EPOCH + timedelta(seconds=seconds)
        return epoch(self.cal.add_business_hours(at, self.claim_hours).due_at)

    # the days and their volumes
    def day_plan(self, n: int, start: date, end: date) -> list[tuple[date, int]]:
        days = []
        total_days = (end - start).days + 1
        for i in range(total_days):
            d = start + timedelta(days=i)
            w = 1.0 if d.weekday() < 5 else (0.45 if d.weekday() == 5 else 0.3)
            if d.weekday() < 5 and not self.cal.is_business_day(d):
                w = 0.4
            w *= 0.8 + 0.4 * i / max(1, total_days - 1)  # the service grows
            days.append((d, w))
        scale = n / sum(w for _, w in days)
        exact = [(d, w * scale) for d, w in days]
        counts = [(d, int(x)) for d, x in exact]
        missing = n - sum(c for _, c in counts)
        order = sorted(range(len(exact)), key=lambda i: exact[i][1] - counts[i][1], reverse=True)
        for i in order[:missing]:
            counts[i] = (counts[i][0], counts[i][1] + 1)
        return counts

    def case_times(self, day: date, k: int) -> list[float]:
        base = epoch(datetime.combine(day, datetime.min.time(), tzinfo=UTC)) + 5 * 3600
        out = []
        if base + 86400 > self.now_s:  # today: up to now
            out = [base + self.rng.random() * (self.now_s - base) for _ in range(k)]
        for _ in range(k - len(out)):
            h = bisect.bisect_right(self.hour_cum, self.rng.random() * self.hour_cum[-1])
            out.append(base + h * 3600 + self.rng.random() * 3600)
        out.sort()
        return out

    # one case
    def case(self, t: float, out: dict) -> None:
        rng = self.rng
        now = self.now_s
        self.ids["case"] += 1
        cid = self.ids["case"]
        local_day = lima_date(t)
        year = local_day.year
        num = self.year_numbers.get(year, 0) + 1
        self.year_numbers[year] = num
        code = f"{self.prefix}-{year}-{num:07d}"
        cit = self.first_citizen + int(rng.random() ** 1.3 * self.n_citizens)
        line = f"9{(cit * 7919 + (1 if rng.random() < 0.2 else 0)) % 100_000_000:08d}"
        op = self.pick(self.op_cum, self.op_ids)
        sub = self.pick(self.sub_cum, self.subs)
        channel = self.pick(self.ch_cum, self.channels)
        office = agent = "\\N"
        if channel in ("PRESENCIAL", "TELEFONICO"):
            o = self.pick(self.office_cum, self.offices)
            office, agent = str(o[0]), str(o[1])
        desc = DESCRIPTIONS[sub["code"]].format(n=2 + int(rng.random() * 40))
        after = self.after_cutoff(t)
        received, due, head, tail, received_day = self.deadline(local_day, after, sub["days"])
        reg = ts(t)
        hms = ts(t - 5 * 3600)[11:19]
        explanation = f"{head}a las {hms} ({tail}"

        state = "FORWARDED"
        forwarded = reg
        ack = answered = rating_due = closed = "\\N"
        updated = t
        r = rng.random()
        age = now - t
        if age < 7 * 86400 and r < 0.002:  # an unconfirmed email: not forwarded yet
            state = "REGISTERED"
            forwarded = received = "\\N"
            due_s = "\\N"
            explanation = ""
            out["case"].append(
                f"{cid}\t{code}\t{sub['service']}\t{channel}\t{line}\t{desc}\t{sub['fields']}\t"
                f"{state}\t{reg}\t\\N\t\\N\t\\N\t\t\\N\t\\N\t\\N\t{reg}\t{cit}\t{office}\t{op}\t"
                f"{agent}\t{sub['id']}\t\\N\n"
            )
            self.counts[state] = self.counts.get(state, 0) + 1
            return
        due_s = ts(due)
        window = due - t
        ack_t = t + rng.random() * min(window, 86400) * 0.5
        if rng.random() < 0.7 and ack_t < now:
            ack = ts(ack_t)
            state = "IN_PROGRESS"
            updated = ack_t
        if r < 0.006:  # returned as not theirs
            ret_t = t + rng.random() * window * 0.5
            if ret_t < now:
                if now - ret_t > 20 * 86400:  # reviewed long ago: confirmed and closed
                    state, closed, updated = "CLOSED", ts(ret_t + 2 * 86400), ret_t + 2 * 86400
                else:
                    state, updated = "RETURNED", ret_t
                    out["returned"].append((cid, ret_t, op))
                self._emit_case(out, cid, code, sub, channel, line, desc, state, reg, forwarded,
                                received, due_s, explanation, ack, answered, rating_due, closed,
                                updated, cit, office, op, agent)  # fmt: skip
                return
        answers = r < 0.935
        if answers:
            if rng.random() < 0.87:  # on time, mostly early
                ans_t = t + 600 + (window - 600) * rng.random() ** 1.6
            else:
                ans_t = due + rng.expovariate(1 / (3 * 86400))
        if answers and ans_t < now:
            self._solution(out, cid, sub, ans_t, due, received_day, op)
            answered = ts(ans_t)
            if ack == "\\N":
                ack = answered
            rd = self.plus_bdays(lima_date(ans_t), self.after_cutoff(ans_t), self.rating_days)
            rating_due = ts(rd)
            state, updated = "ANSWERED", ans_t
            outcome = out["last_outcome"]
            if rng.random() < 0.42:  # the citizen rates
                rated_t = ans_t + rng.expovariate(1 / (2 * 86400))
                if rated_t < rd and rated_t < now:
                    resolved = rng.random() < (0.82 if outcome == "RESOLVED" else 0.12)
                    self._rating(out, cid, resolved, rated_t)
                    state, updated = "RATED", rated_t
                    if not resolved and sub["claimable"] and rng.random() < 0.3:
                        state, updated, closed = self._claim(
                            out, cid, sub, op, cit, line, rated_t + rng.expovariate(1 / 86400)
                        ) or (state, updated, closed)
            if state == "ANSWERED" and rd < now:
                state, closed, updated = "CLOSED", ts(rd + 60), rd + 60
        elif due < now:
            state, updated = "OVERDUE", due + 60
            if sub["claimable"] and rng.random() < 0.35:
                state, updated, closed = self._claim(
                    out, cid, sub, op, cit, line, due + rng.expovariate(1 / (2 * 86400))
                ) or (state, updated, closed)
        self._emit_case(out, cid, code, sub, channel, line, desc, state, reg, forwarded, received,
                        due_s, explanation, ack, answered, rating_due, closed, updated, cit,
                        office, op, agent)  # fmt: skip

    def _emit_case(self, out, cid, code, sub, channel, line, desc, state, reg, forwarded,
                   received, due_s, explanation, ack, answered, rating_due, closed, updated, cit,
                   office, op, agent) -> None:  # fmt: skip
        self.counts[state] = self.counts.get(state, 0) + 1
        out["case"].append(
            f"{cid}\t{code}\t{sub['service']}\t{channel}\t{line}\t{desc}\t{sub['fields']}\t"
            f"{state}\t{reg}\t{forwarded}\t{received}\t{due_s}\t{explanation}\t{ack}\t"
            f"{answered}\t{closed}\t{ts(updated)}\t{cit}\t{office}\t{op}\t{agent}\t{sub['id']}\t"
            f"{rating_due}\n"
        )

    def _solution(self, out, cid, sub, ans_t, due, received_day, op) -> None:
        rng = self.rng
        self.ids["solution"] += 1
        x = rng.random()
        outcome = "RESOLVED" if x < 0.74 else ("NOT_RESOLVED" if x < 0.91 else "NOT_APPLICABLE")
        out["last_outcome"] = outcome
        day = lima_date(ans_t)
        days = self.bdays(received_day, day)
        on_time = "t" if ans_t <= due else "f"
        out["solution"].append(
            f"{self.ids['solution']}\t{outcome}\t{SOLUTION_TEXT[outcome]}\t\t{day.isoformat()}\t"
            f"Área de atención al cliente\t{ts(ans_t)}\t{on_time}\t{cid}\t\\N\t{days}\n"
        )

    def _rating(self, out, cid, resolved: bool, at: float) -> None:
        self.ids["rating"] += 1
        x = self.rng.random()
        score = (
            (5 if x < 0.55 else 4 if x < 0.9 else 3)
            if resolved
            else (1 if x < 0.5 else 2 if x < 0.85 else 3)
        )
        out["rating"].append(
            f"{self.ids['rating']}\t{'t' if resolved else 'f'}\t{score}\t\t{ts(at)}\t{cid}\n"
        )

    def _claim(self, out, cid, sub, op, cit, line, req_t):
        """A claim requested at req_t (if already past): (state, updated, closed)."""
        if req_t >= self.now_s:
            return None
        self.ids["claim"] += 1
        code_due = self.code_due(req_t)
        coded_t = req_t + self.rng.random() * (code_due - req_t) * 1.1
        name = f"{FIRST[cit % 20]} {LAST[cit % 16]} {LAST[(cit // 16) % 16]}"
        doc = f"{10_000_000 + cit:08d}"
        days = sub["claim_days"] or 15
        if coded_t < self.now_s:
            self.claim_codes[op] += 1
            claim_code = f"R{op}-{self.claim_codes[op]:08d}"
            resolution_due = self.plus_bdays(lima_date(coded_t), self.after_cutoff(coded_t), days)
            state, coded, late = "CODED", ts(coded_t), "t" if coded_t > code_due else "f"
            res = ts(resolution_due)
            case_state, updated, closed = "CLAIM_CODED", coded_t, ts(coded_t)
        else:
            claim_code = coded = res = "\\N"
            state, late = "PENDING_CODE", "f"
            case_state, updated, closed = "CLAIM_REQUESTED", req_t, "\\N"
        out["claim"].append(
            f"{self.ids['claim']}\t{state}\t{name}\tDNI\t{doc}\t{sub['service']}\t{line}\t"
            f"El problema no se resolvió en el SGU.\tQue corrijan el problema y devuelvan lo "
            f"cobrado.\t\\N\tc{cit}@bench.sgu.pe\t{days}\t{ts(req_t)}\t{ts(code_due)}\t"
            f"{claim_code}\t{coded}\t{late}\t{res}\t\t{cid}\t{op}\n"
        )
        return case_state, updated, closed


# --- database phases ----------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")
    os.environ.setdefault("EMAIL_HOST", "")
    sys.path.insert(0, str(SRC_DIR))
    import django

    django.setup()


def load_reference(url: str, n_citizens: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", quiet=True)

    from sgu.accounts.models import Role, User
    from sgu.catalog.models import Office, Operator, Subcategory

    lima = Office.objects.get(code="LIMA-SEDE")
    offices = []
    lima_agent = User.objects.filter(office=lima, role=Role.REGULATOR_AGENT).first()
    offices.append((lima.id, lima_agent.id, LIMA_OFFICE_SHARE))
    for code, name, ubigeo, dep, prov, dist, lat, lon, share in REGIONAL_OFFICES:
        office, _ = Office.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "address": "Av. Principal 100",
                "ubigeo": ubigeo,
                "department": dep,
                "province": prov,
                "district": dist,
                "latitude": lat,
                "longitude": lon,
            },
        )
        agent, _ = User.objects.get_or_create(
            email=f"orientador.{code.lower()}@bench.sgu.pe",
            defaults={
                "username": f"orientador.{code.lower()}@bench.sgu.pe",
                "role": Role.REGULATOR_AGENT,
                "first_name": "Orientador",
                "last_name": name,
                "office": office,
                "password": "!",
            },
        )
        offices.append((office.id, agent.id, share))
    subs = []
    for s in Subcategory.objects.select_related("category__service"):
        fields = {
            f.name: "2025-01-15" if "DATE" in str(f.type).upper() else "12.90"
            for f in s.fields.all()
            if f.required
        }
        subs.append(
            {
                "id": s.id,
                "code": s.code,
                "days": s.deadline_amount,
                "claimable": s.claimable,
                "claim_days": s.claim_deadline_days,
                "service": s.category.service.code,
                "fields": esc(json.dumps(fields, ensure_ascii=False)),
            }
        )
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        first = cur.fetchone()[0] + 1
    connection.close()
    return {
        "operators": dict(Operator.objects.values_list("code", "id")),
        "subcategories": subs,
        "offices": offices,
        "first_citizen_id": first,
    }


def drop_secondary(conn) -> list[str]:
    """Drop the big tables' secondary indexes, unique and FK constraints; their DDL back."""
    ddl = []
    for table in BIG_TABLES:
        cons = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        ).fetchall()
        names = {c[0] for c in cons}
        idx = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        ).fetchall()
        for name, definition in idx:
            if name not in names:
                conn.execute(f'DROP INDEX "{name}"')
                ddl.append(definition)
        for name, _definition, _kind in sorted(cons, key=lambda c: c[2] != "f"):
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, definition, _kind in sorted(cons, key=lambda c: c[2] == "f"):
            ddl.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return ddl


def copy_citizens(conn, first: int, n: int, start: datetime) -> None:
    from django.contrib.auth.hashers import make_password

    password = esc(make_password("Bench.Citizen.2026"))
    joined = ts(epoch(start) - 86400)
    cols = (
        "id, password, last_login, is_superuser, username, first_name, last_name, is_staff, "
        "is_active, date_joined, email, role, document_type, document_number, phone, "
        "email_verified_at, consent_at, consent_version, consent_channel, office_id, operator_id"
    )
    with conn.cursor().copy(f"COPY accounts_user ({cols}) FROM STDIN") as copy:
        buf = []
        for i in range(n):
            uid = first + i
            cit = uid
            email = f"c{cit}@bench.sgu.pe"
            buf.append(
                f"{uid}\t{password}\t\\N\tf\t{email}\t{FIRST[cit % 20]}\t"
                f"{LAST[cit % 16]} {LAST[(cit // 16) % 16]}\tf\tt\t{joined}\t{email}\tCITIZEN\t"
                f"DNI\t{10_000_000 + cit:08d}\t9{(cit * 7919) % 100_000_000:08d}\t{joined}\t"
                f"{joined}\t2026-01\tWEB\t\\N\t\\N\n"
            )
            if len(buf) >= 50_000:
                copy.write("".join(buf))
                buf.clear()
        copy.write("".join(buf))


CASE_COLS = (
    "id, code, service, channel, service_number, description, fields, state, registered_at, "
    "forwarded_at, received_on, due_at, due_explanation, acknowledged_at, answered_at, closed_at, "
    "updated_at, citizen_id, office_id, operator_id, registered_by_id, subcategory_id, "
    "rating_due_at"
)
SOLUTION_COLS = (
    "id, outcome, detail, actions, executed_at, responsible, recorded_at, on_time, case_id, "
    "recorded_by_id, response_business_days"
)
RATING_COLS = "id, resolved, score, comment, rated_at, case_id"
CLAIM_COLS = (
    "id, state, holder_name, holder_document_type, holder_document_number, service, "
    "service_number, reason, request, amount, notify_email, resolution_days, requested_at, "
    "code_due_at, claim_code, coded_at, coded_late, resolution_due_at, form_pdf, case_id, "
    "operator_id"
)


def copy_cases(url: str, gen: Generator, n: int, start: date, end: date) -> None:
    import psycopg

    plan = gen.day_plan(n, start, end)
    tables = {
        "case": ("cases_case", CASE_COLS),
        "solution": ("cases_solution", SOLUTION_COLS),
        "rating": ("cases_rating", RATING_COLS),
        "claim": ("cases_claim", CLAIM_COLS),
    }
    out: dict = {k: [] for k in tables}
    out["returned"] = []
    out["last_outcome"] = ""
    returned = []
    with ExitStack() as stack:
        copies = {}
        for key, (table, cols) in tables.items():
            conn = stack.enter_context(psycopg.connect(url))
            conn.execute("SET synchronous_commit = off")
            copies[key] = stack.enter_context(
                conn.cursor().copy(f"COPY {table} ({cols}) FROM STDIN")
            )
        done = 0
        t0 = time.perf_counter()
        for day, k in plan:
            for t in gen.case_times(day, k):
                gen.case(t, out)
            if len(out["case"]) >= 20_000:
                for key in tables:
                    if out[key]:
                        copies[key].write("".join(out[key]))
                        out[key].clear()
                returned += out["returned"]
                out["returned"].clear()
            new_done = gen.ids["case"]
            if new_done // 500_000 != done // 500_000:
                rate = new_done / (time.perf_counter() - t0)
                log(f"  {new_done:,} casos ({rate:,.0f}/s)")
            done = new_done
        for key in tables:
            if out[key]:
                copies[key].write("".join(out[key]))
        returned += out["returned"]
    gen.returned = returned


def build_parallel(dsn: str, ddl: list[str], jobs: int) -> None:
    """Run the DDL on `jobs` connections at once: every index first, then the unique
    constraints, then the foreign keys (each one validated by a scan). Index builds are CPU
    bound sorts: several at a time use both cores (and take a fairer share of a busy machine)."""
    import queue
    import threading

    import psycopg

    def stage(statements: list[str]) -> None:
        q: queue.Queue = queue.Queue()
        for st in statements:
            q.put(st)
        errors: list = []

        def worker() -> None:
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute("SET maintenance_work_mem = '512MB'")
                c.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        st = q.get_nowait()
                    except queue.Empty:
                        return
                    s0 = time.perf_counter()
                    try:
                        c.execute(st)
                    except Exception as exc:  # reported after the stage
                        errors.append((st, exc))
                    log(f"  {time.perf_counter() - s0:6.1f} s  {st[:110]}")

        threads = [threading.Thread(target=worker) for _ in range(jobs)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            sys.exit(f"DDL fallida: {errors[0]}")

    stage([d for d in ddl if not d.startswith("ALTER TABLE")])
    stage([d for d in ddl if d.startswith("ALTER TABLE") and "FOREIGN KEY" not in d])
    stage([d for d in ddl if "FOREIGN KEY" in d])


def finish(conn, gen: Generator, ddl: list[str], timings: dict, jobs: int = 3) -> None:
    # The RETURN events the review tray shows (the operator's reason).
    t = time.perf_counter()
    with conn.cursor().copy(
        "COPY cases_caseevent (at, kind, actor_role, from_state, to_state, note, internal, data, "
        "case_id) FROM STDIN"
    ) as copy:
        for cid, at, _op in gen.returned:
            copy.write(
                f"{ts(at)}\tRETURN\tOPERATOR\tIN_PROGRESS\tRETURNED\tEl número no pertenece a "
                f"nuestra red (portado a otra operadora).\tf\t{{}}\t{cid}\n"
            )
    for year, last in gen.year_numbers.items():
        conn.execute(
            "INSERT INTO cases_casesequence (year, last_number) VALUES (%s, %s) "
            "ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
            [year, last],
        )
    for table in [*BIG_TABLES, "cases_caseevent"]:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    conn.commit()
    timings["events_sequences_s"] = time.perf_counter() - t
    t = time.perf_counter()
    build_parallel(conn.info.dsn, ddl, jobs)
    timings["indexes_s"] = time.perf_counter() - t
    t = time.perf_counter()
    conn.autocommit = True
    for table in [*BIG_TABLES, "cases_caseevent", "cases_casesequence"]:
        conn.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum_analyze_s"] = time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default=DEFAULT_DB, help=f"PostgreSQL (se recrea); {DEFAULT_DB}")
    p.add_argument("--cases", type=int, default=10_000_000)
    p.add_argument("--citizens", type=int, default=None, help="por omisión, casos ÷ 6.5")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=20261130)
    p.add_argument("--index-jobs", type=int, default=3, help="índices construidos a la vez")
    args = p.parse_args(argv)
    args.citizens = args.citizens or max(100, int(args.cases / 6.5))
    import psycopg

    timings: dict = {}
    t_all = time.perf_counter()
    log(f"recreando {args.db}")
    recreate_database(args.db)
    django_setup(args.db)
    from django.utils import timezone

    t = time.perf_counter()
    refs = load_reference(args.db, args.citizens)
    timings["migrate_demo_s"] = time.perf_counter() - t
    now = timezone.now().replace(microsecond=0)
    end = timezone.localdate(now)
    start = end - timedelta(days=round(args.months * 30.44))
    url = pg_url(args.db)
    with psycopg.connect(url) as conn:
        ddl = drop_secondary(conn)
        conn.commit()
        t = time.perf_counter()
        log(f"{args.citizens:,} ciudadanos por COPY")
        copy_citizens(
            conn,
            refs["first_citizen_id"],
            args.citizens,
            datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        )
        conn.commit()
        timings["citizens_s"] = time.perf_counter() - t
    gen = Generator(args, refs, now)
    t = time.perf_counter()
    log(f"{args.cases:,} casos del {start} al {end} por COPY (4 conexiones)")
    copy_cases(url, gen, args.cases, start, end)
    timings["cases_s"] = time.perf_counter() - t
    log(f"  {gen.ids} · estados {gen.counts}")
    with psycopg.connect(url) as conn:
        log("eventos, secuencias, índices y restricciones, VACUUM ANALYZE")
        finish(conn, gen, ddl, timings, args.index_jobs)
        timings["total_s"] = time.perf_counter() - t_all
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_generation (key text PRIMARY KEY, value jsonb)"
        )
        meta = {
            "cases": gen.ids["case"],
            "solutions": gen.ids["solution"],
            "ratings": gen.ids["rating"],
            "claims": gen.ids["claim"],
            "returned_events": len(gen.returned),
            "citizens": args.citizens,
            "states": gen.counts,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "now": now.isoformat(),
            "size": size,
            "timings": timings,
            "load_before": os.getloadavg(),
        }
        conn.execute(
            "INSERT INTO bench_generation VALUES ('run', %s) ON CONFLICT (key) DO UPDATE "
            "SET value = excluded.value",
            [json.dumps(meta)],
        )
    log(json.dumps(meta, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
