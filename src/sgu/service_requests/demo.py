"""Demo daily reports of bajas y migraciones (used by `load_demo`): what each operator's
file says on a day — the requests received that day and the changes of the ones still open —
as rows of the published layout (layout.COLUMNS), sent through `services.receive_rows`."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sgu.core.calendar import LIMA

PLANS = ["Plan Max 39.90", "Plan Max 55.90", "Plan Libre 29.90", "Prepago Chévere", "Plan 69.90"]
BAJA_REASONS = ["Cambio de operadora", "Viaje al extranjero", "Ya no usa la línea", ""]
REJECTIONS = ["El solicitante no es el titular de la línea", "Deuda pendiente de equipo"]


@dataclass
class Request:
    code: str
    kind: str
    channel: str
    requested_at: datetime
    document_number: str
    service_number: str
    from_plan: str = ""
    to_plan: str = ""
    reason: str = ""
    status: str = "REGISTRADA"
    scheduled_date: date | None = None
    executed_at: datetime | None = None
    rejection_reason: str = ""
    settle_on: date | None = None  # when the operator will close it (None: left open)
    outcome: str = "EJECUTADA"

    def row(self) -> dict:
        return {
            "request_code": self.code,
            "kind": self.kind,
            "channel": self.channel,
            "requested_at": self.requested_at.isoformat(timespec="seconds"),
            "document_type": "DNI",
            "document_number": self.document_number,
            "service_number": self.service_number,
            "contract": "",
            "service": "MOVIL",
            "from_plan": self.from_plan,
            "to_plan": self.to_plan,
            "reason": self.reason,
            "status": self.status,
            "scheduled_date": self.scheduled_date.isoformat() if self.scheduled_date else "",
            "executed_at": self.executed_at.isoformat(timespec="seconds")
            if self.executed_at
            else "",
            "rejection_reason": self.rejection_reason,
            "service_state": self.service_state(),
        }

    def service_state(self) -> str:
        """The state of the service as the operator reports it with the request."""
        if self.status == "EJECUTADA":
            return "DADO_DE_BAJA" if self.kind == "BAJA" else "MIGRADO"
        # A few lines are suspended (by debt or at the holder's request) while they wait.
        return "SUSPENDIDO" if int(self.document_number[-1]) % 7 == 0 else "ACTIVO"


@dataclass
class OperatorRequests:
    """One operator's requests while the demo's days go by."""

    prefix: str
    rng: random.Random
    per_day: int
    open: list[Request] = field(default_factory=list)
    serial: int = 0

    def day(self, d: date, documents: list[str]) -> list[dict]:
        """The rows of `d`'s report: every request new that day or changed that day."""
        rows = []
        for _ in range(self.rng.randint(self.per_day // 2, self.per_day)):
            self.serial += 1
            kind = "BAJA" if self.rng.random() < 0.55 else "MIGRACION"
            at = datetime.combine(d, time(self.rng.randint(8, 20), self.rng.randint(0, 59)), LIMA)
            req = Request(
                code=f"{self.prefix}-{'B' if kind == 'BAJA' else 'M'}{self.serial:06d}",
                kind=kind,
                channel=self.rng.choice(["PRESENCIAL", "TELEFONICO", "WEB", "APP"]),
                requested_at=at,
                document_number=self.rng.choice(documents),
                service_number=f"9{self.rng.randint(10_000_000, 99_999_999)}",
            )
            if kind == "BAJA":
                req.reason = self.rng.choice(BAJA_REASONS)
                req.scheduled_date = d + timedelta(days=self.rng.choice([0, 1, 2, 3]))
            else:
                req.from_plan, req.to_plan = self.rng.sample(PLANS, 2)
            roll = self.rng.random()
            # Most are settled in time; a few late (monitoring alerts), a few rejected or
            # cancelled, and a few never settled (still open at the end of the demo).
            if roll < 0.75:
                req.settle_on = d + timedelta(days=self.rng.choice([0, 1, 1, 2, 3]))
            elif roll < 0.85:
                req.settle_on = d + timedelta(days=self.rng.randint(5, 9))
            elif roll < 0.95:
                req.settle_on = d + timedelta(days=self.rng.randint(0, 2))
                req.outcome = self.rng.choice(["RECHAZADA", "RECHAZADA", "ANULADA"])
            else:
                req.settle_on = None
            if req.settle_on == d:
                self._settle(req, d)
            else:
                if self.rng.random() < 0.5:
                    req.status = "EN_PROCESO"
                self.open.append(req)
            rows.append(req.row())
        still = []
        for req in self.open:
            if req.settle_on is not None and req.settle_on <= d and req.requested_at.date() < d:
                self._settle(req, d)
                rows.append(req.row())
            elif req.settle_on != d:
                still.append(req)
        self.open = still
        return rows

    def _settle(self, req: Request, d: date) -> None:
        req.status = req.outcome
        if req.outcome == "EJECUTADA":
            at = datetime.combine(d, time(self.rng.randint(9, 22), self.rng.randint(0, 59)), LIMA)
            req.executed_at = max(at, req.requested_at + timedelta(minutes=30))
        elif req.outcome == "RECHAZADA":
            req.rejection_reason = self.rng.choice(REJECTIONS)
