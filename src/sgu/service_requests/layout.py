"""The daily report's layout (DOMAIN §7; docs/service_requests.md, "Formato del archivo"):
column names, value formats and the checks on one row. Pure Python, no database.

The ingest streams every row through `RowChecker.check()` and writes in bulk only what it
returns, so this is the hot path of a million-row file: plain string operations, a fast path
for the common shapes (an 8-digit DNI, a 9-digit mobile) that gives exactly what the general
function (`sgu.core.identity`) would, and no per-row allocation that is not needed.
"""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, timezone

from sgu.core.identity import InvalidValue, normalize_document, normalize_mobile

# The order is the layout of the error reports and of the staging table; a file's header may
# list them in any order, but all of them and nothing else.
COLUMNS: tuple[str, ...] = (
    "request_code",
    "kind",
    "channel",
    "requested_at",
    "document_type",
    "document_number",
    "service_number",
    "contract",
    "service",
    "from_plan",
    "to_plan",
    "reason",
    "status",
    "scheduled_date",
    "executed_at",
    "rejection_reason",
    "service_state",
)
N_COLUMNS = len(COLUMNS)
# Columns a file may leave out: reports in the layout before the state of the service was
# required (docs/service_requests.md, "Estado del servicio") are read with it "not reported".
OPTIONAL_COLUMNS: tuple[str, ...] = ("service_state",)
# The reader's value for a column the file does not have (an empty cell is "").
ABSENT = None

KINDS = ("BAJA", "MIGRACION")
CHANNELS = ("PRESENCIAL", "TELEFONICO", "WEB", "APP", "OTRO")
SERVICES = ("MOVIL", "FIJO", "INTERNET", "TV")
STATUSES = ("REGISTRADA", "EN_PROCESO", "EJECUTADA", "RECHAZADA", "ANULADA")
SERVICE_STATES = ("ACTIVO", "SUSPENDIDO", "DADO_DE_BAJA", "MIGRADO")
DOCUMENT_TYPES = ("DNI", "CE", "RUC", "PASAPORTE")
OPEN_STATUSES = ("REGISTRADA", "EN_PROCESO")
FINAL_STATUSES = ("EJECUTADA", "RECHAZADA", "ANULADA")

MAX_CODE = 40
MAX_PLAN = 100
MAX_TEXT = 500
MAX_CONTRACT = 30

# Lima has had no daylight saving time since 1994: a fixed offset is exact for every date
# this layout accepts (from 2000 on) and much cheaper per row than a ZoneInfo lookup.
LIMA_OFFSET = timezone(timedelta(hours=-5), "America/Lima")
EARLIEST = datetime(2000, 1, 1, tzinfo=LIMA_OFFSET)
# Operators' clocks may run a little ahead of ours: "in the future" means beyond this.
CLOCK_SKEW = timedelta(minutes=10)

_FOLD = str.maketrans("ÁÉÍÓÚÜ", "AEIOUU")


def _enum(values: Sequence[str], aliases: dict[str, str] | None = None) -> dict[str, str]:
    table = {v: v for v in values}
    for v in values:
        table[v.replace("_", " ")] = v
    table.update(aliases or {})
    return table


_KIND = _enum(KINDS)
_CHANNEL = _enum(CHANNELS)
_SERVICE = _enum(SERVICES)
_STATUS = _enum(STATUSES)
_SERVICE_STATE = _enum(SERVICE_STATES, {"BAJA": "DADO_DE_BAJA", "DE BAJA": "DADO_DE_BAJA"})
_DOCTYPE = _enum(DOCUMENT_TYPES, {"CARNE DE EXTRANJERIA": "CE", "CARNE": "CE"})

_CODE = re.compile(r"[A-Z0-9][A-Z0-9_/.\-]{0,39}")
_CONTRACT = re.compile(r"[A-Z0-9][A-Z0-9_/.\-]{0,29}")
_SERVICE_ID = re.compile(r"[A-Z0-9][A-Z0-9\-]{3,19}")
_SEPARATORS = re.compile(r"[\s\-().]")
_DMY = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)


def _lookup(table: dict[str, str], raw: str) -> str | None:
    """The slow path of an enumeration: spaces, lower case, accents (MIGRACIÓN, Móvil)."""
    value = raw.strip().upper()
    found = table.get(value)
    if found is None and value:
        found = table.get(value.translate(_FOLD))
    return found


def parse_datetime(raw: str) -> datetime | None:
    """A naive date-time in Lima's wall clock, from AAAA-MM-DD HH:MM[:SS] (Lima), ISO 8601
    with an offset (converted to Lima), or DD/MM/AAAA HH:MM[:SS]."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        m = _DMY.fullmatch(raw)
        if m is None:
            return None
        d, mo, y, hh, mm, ss = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
    if value.tzinfo is not None:
        return value.astimezone(LIMA_OFFSET).replace(tzinfo=None)
    return value


def parse_date(raw: str) -> date | None:
    """AAAA-MM-DD or DD/MM/AAAA (a date-time at 00:00 is accepted: spreadsheets write it)."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    m = _DMY.fullmatch(raw)
    if m is not None:
        d, mo, y, hh, mm, ss = m.groups()
        if int(hh or 0) or int(mm or 0) or int(ss or 0):
            return None
        try:
            return date(int(y), int(mo), int(d))
        except ValueError:
            return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.date() if value.time() == time(0) and value.tzinfo is None else None


def _fmt_local(at: datetime) -> str:
    return f"{at:%d/%m/%Y %H:%M}"


def _fixed_line(raw: str) -> str | None:
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+51"):
        digits = digits[3:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if (
        len(digits) == 8
        and digits.isascii()
        and digits.isdigit()
        and digits[0] != "0"
        and digits[0] != "9"
    ):
        return digits
    return None


def _canonical(raw: str) -> bool:
    """AAAA-MM-DD HH:MM:SS exactly, which a database reads as it is."""
    return len(raw) == 19 and raw[4] == "-" and raw[10] in " T"


def pg_datetime(at: datetime, raw: str) -> str:
    """A timestamptz literal PostgreSQL reads (COPY), from a naive Lima date-time."""
    if _canonical(raw):
        return raw + "-05:00"
    return at.isoformat() + "-05:00"


_FIVE_HOURS = timedelta(hours=5)


def sqlite_datetime(at: datetime, raw: str) -> str:
    """What Django's SQLite backend stores for an aware datetime: UTC, naive, with a space."""
    return (at + _FIVE_HOURS).isoformat(" ")


# Row errors are (row, field, message) tuples: cheap to make, written straight to a file.
RowError = tuple[int, str, str]

_kind_get = _KIND.get
_channel_get = _CHANNEL.get
_service_get = _SERVICE.get
_status_get = _STATUS.get
_service_state_get = _SERVICE_STATE.get
_doctype_get = _DOCTYPE.get
_code_match = _CODE.fullmatch


class RowChecker:
    """Checks one row (17 values in `COLUMNS` order; `ABSENT` for a column the file lacks)
    of one operator's report for one day.

    `check()` returns the row as the staging table takes it (row number, the normalised
    values, whether the baja was executed late, True), or None after appending every
    problem of the row to `errors` (all of them: the person fixes the row once).
    Date-times are handled as naive Lima wall-clock values (cheap to compare) and come out
    formatted by `fmt_datetime` for the database at hand.
    """

    def __init__(
        self,
        *,
        report_date: date,
        now: datetime,
        fmt_datetime: Callable[[datetime, str], str] = pg_datetime,
    ):
        self.report_date = report_date
        # Bounds as naive Lima date-times, like the values they are compared with.
        self.latest = (now + CLOCK_SKEW).astimezone(LIMA_OFFSET).replace(tzinfo=None)
        self.earliest = EARLIEST.replace(tzinfo=None)
        # Nothing in a day's report happened after that day.
        self.report_end = datetime.combine(report_date + timedelta(days=1), time(0))
        self.fmt = fmt_datetime
        self.report_day = f"{report_date:%d/%m/%Y}"

    def _instant(self, raw: str, field: str, what: str, errors: list, row: int):
        at = parse_datetime(raw)
        if at is None:
            errors.append(
                (
                    row,
                    field,
                    f"{what} no es válida «{raw[:40]}»: use AAAA-MM-DD HH:MM (hora de Lima) "
                    "o DD/MM/AAAA HH:MM.",
                )
            )
        elif at < self.earliest:
            errors.append((row, field, f"{what} ({_fmt_local(at)}) es anterior al año 2000."))
            at = None
        elif at > self.latest:
            errors.append((row, field, f"{what} ({_fmt_local(at)}) está en el futuro."))
            at = None
        elif at >= self.report_end:
            errors.append(
                (
                    row,
                    field,
                    f"{what} ({_fmt_local(at)}) es posterior al día del reporte "
                    f"({self.report_day}).",
                )
            )
            at = None
        return at

    def check(self, values: Sequence[str], row: int, errors: list) -> tuple | None:
        n_before = len(errors)
        (
            code,
            kind,
            channel,
            requested,
            doc_type,
            doc_number,
            service_number,
            contract,
            service,
            from_plan,
            to_plan,
            reason,
            status,
            scheduled,
            executed,
            rejection,
            service_state,
        ) = values

        code = code.strip().upper()
        if not code:
            errors.append((row, "request_code", "Falta el código de pedido."))
        elif _code_match(code) is None:
            errors.append(
                (
                    row,
                    "request_code",
                    f"El código de pedido «{code[:50]}» no es válido: hasta {MAX_CODE} letras "
                    "sin tildes, dígitos o los signos - _ / . (sin espacios).",
                )
            )

        kind_v = _kind_get(kind) or _lookup(_KIND, kind)
        if kind_v is None:
            shown = kind.strip()[:30]
            errors.append(
                (
                    row,
                    "kind",
                    f"Tipo no válido «{shown}»: use BAJA o MIGRACION."
                    if shown
                    else "Falta el tipo: use BAJA o MIGRACION.",
                )
            )

        channel_v = _channel_get(channel) or _lookup(_CHANNEL, channel)
        if channel_v is None:
            shown = channel.strip()[:30]
            errors.append(
                (
                    row,
                    "channel",
                    (f"Canal no válido «{shown}»: use " if shown else "Falta el canal: use ")
                    + "PRESENCIAL, TELEFONICO, WEB, APP u OTRO.",
                )
            )

        requested = requested.strip()
        requested_at = None
        if not requested:
            errors.append((row, "requested_at", "Falta la fecha y hora de la solicitud."))
        else:
            requested_at = self._instant(
                requested, "requested_at", "La fecha de la solicitud", errors, row
            )

        # Identity document (DOMAIN §3). An 8-digit DNI is what nearly every row carries, and
        # normalize_document would return it unchanged: it is taken as it is.
        doc_type_v = _doctype_get(doc_type) or _lookup(_DOCTYPE, doc_type)
        doc_number = doc_number.strip()
        if doc_type_v is None:
            shown = doc_type.strip()[:20]
            errors.append(
                (
                    row,
                    "document_type",
                    (
                        f"Tipo de documento no válido «{shown}»: use "
                        if shown
                        else "Falta el tipo de documento: use "
                    )
                    + "DNI, CE, RUC o PASAPORTE.",
                )
            )
        elif not (
            doc_type_v == "DNI"
            and len(doc_number) == 8
            and doc_number.isascii()
            and doc_number.isdigit()
        ):
            try:
                doc_number = normalize_document(doc_type_v, doc_number).number
            except InvalidValue as exc:
                errors.append((row, "document_number", str(exc)))

        service_v = _service_get(service) or _lookup(_SERVICE, service)
        if service_v is None:
            shown = service.strip()[:20]
            errors.append(
                (
                    row,
                    "service",
                    (f"Servicio no válido «{shown}»: use " if shown else "Falta el servicio: use ")
                    + "MOVIL, FIJO, INTERNET o TV.",
                )
            )

        service_number = service_number.strip()
        contract = contract.strip().upper()
        if not service_number:
            if not contract:
                errors.append(
                    (row, "service_number", "Indique el número de servicio (línea) o el contrato.")
                )
        elif service_v == "MOVIL":
            if not (
                len(service_number) == 9
                and service_number[0] == "9"
                and service_number.isascii()
                and service_number.isdigit()
            ):
                try:
                    service_number = normalize_mobile(service_number)
                except InvalidValue as exc:
                    errors.append((row, "service_number", str(exc)))
        elif service_v == "FIJO":
            fixed = _fixed_line(service_number)
            if fixed is None:
                errors.append(
                    (
                        row,
                        "service_number",
                        "El teléfono fijo tiene 8 dígitos con el código de ciudad, "
                        "p. ej. 14567890 (Lima) o 44123456.",
                    )
                )
            else:
                service_number = fixed
        elif service_v is not None:
            service_number = service_number.upper()
            if _SERVICE_ID.fullmatch(service_number) is None:
                errors.append(
                    (
                        row,
                        "service_number",
                        "El número de servicio tiene de 4 a 20 letras sin tildes, dígitos o "
                        "guiones.",
                    )
                )
        if contract and _CONTRACT.fullmatch(contract) is None:
            errors.append(
                (
                    row,
                    "contract",
                    f"El contrato tiene hasta {MAX_CONTRACT} letras sin tildes, dígitos o los "
                    "signos - _ / . (sin espacios).",
                )
            )

        from_plan = from_plan.strip()
        to_plan = to_plan.strip()
        if len(from_plan) > MAX_PLAN:
            errors.append((row, "from_plan", f"El plan admite hasta {MAX_PLAN} caracteres."))
        if len(to_plan) > MAX_PLAN:
            errors.append((row, "to_plan", f"El plan admite hasta {MAX_PLAN} caracteres."))
        if kind_v == "MIGRACION":
            if not to_plan:
                errors.append((row, "to_plan", "Una migración indica el plan de destino."))
            elif to_plan == from_plan:
                errors.append((row, "to_plan", "El plan de destino es el mismo que el de origen."))
        elif to_plan and kind_v == "BAJA":
            errors.append((row, "to_plan", "Una baja no tiene plan de destino."))

        reason = reason.strip()
        if len(reason) > MAX_TEXT:
            errors.append((row, "reason", f"El motivo admite hasta {MAX_TEXT} caracteres."))

        status_v = _status_get(status) or _lookup(_STATUS, status)
        if status_v is None:
            shown = status.strip()[:30]
            errors.append(
                (
                    row,
                    "status",
                    (f"Estado no válido «{shown}»: use " if shown else "Falta el estado: use ")
                    + "REGISTRADA, EN_PROCESO, EJECUTADA, RECHAZADA o ANULADA.",
                )
            )

        scheduled = scheduled.strip()
        scheduled_date = None
        if scheduled:
            scheduled_date = parse_date(scheduled)
            if scheduled_date is None:
                errors.append(
                    (
                        row,
                        "scheduled_date",
                        f"La fecha programada no es válida «{scheduled[:30]}»: use AAAA-MM-DD "
                        "o DD/MM/AAAA.",
                    )
                )
            elif requested_at is not None and scheduled_date < requested_at.date():
                errors.append(
                    (
                        row,
                        "scheduled_date",
                        f"La fecha programada ({scheduled_date:%d/%m/%Y}) es anterior a la "
                        "de la solicitud.",
                    )
                )

        executed = executed.strip()
        executed_at = None
        if executed:
            if status_v is not None and status_v != "EJECUTADA":
                errors.append(
                    (row, "executed_at", "Solo una solicitud EJECUTADA tiene fecha de ejecución.")
                )
            executed_at = self._instant(
                executed, "executed_at", "La fecha de ejecución", errors, row
            )
            if executed_at is not None and requested_at is not None and executed_at < requested_at:
                errors.append(
                    (
                        row,
                        "executed_at",
                        f"La ejecución ({_fmt_local(executed_at)}) es anterior a la solicitud "
                        f"({_fmt_local(requested_at)}).",
                    )
                )
        elif status_v == "EJECUTADA":
            errors.append(
                (row, "executed_at", "Una solicitud EJECUTADA indica la fecha y hora de ejecución.")
            )

        rejection = rejection.strip()
        if len(rejection) > MAX_TEXT:
            errors.append(
                (
                    row,
                    "rejection_reason",
                    f"El motivo de rechazo admite hasta {MAX_TEXT} caracteres.",
                )
            )
        if status_v == "RECHAZADA":
            if not rejection:
                errors.append(
                    (
                        row,
                        "rejection_reason",
                        "Una solicitud RECHAZADA indica el motivo del rechazo.",
                    )
                )
        elif rejection and status_v is not None:
            errors.append(
                (row, "rejection_reason", "Solo una solicitud RECHAZADA tiene motivo de rechazo.")
            )

        # The state of the service (activo, suspendido, dado de baja, migrado), besides the
        # request's. A file in the layout without the column: "" (not reported).
        service_state_v = ""
        if service_state is not ABSENT:
            service_state_v = _service_state_get(service_state) or _lookup(
                _SERVICE_STATE, service_state
            )
            if service_state_v is None:
                shown = service_state.strip()[:30]
                service_state_v = ""
                errors.append(
                    (
                        row,
                        "service_state",
                        (
                            f"Estado del servicio no válido «{shown}»: use "
                            if shown
                            else "Falta el estado del servicio: use "
                        )
                        + "ACTIVO, SUSPENDIDO, DADO_DE_BAJA o MIGRADO.",
                    )
                )
            elif status_v == "EJECUTADA" and kind_v == "BAJA" and service_state_v != "DADO_DE_BAJA":
                errors.append(
                    (
                        row,
                        "service_state",
                        "Una baja EJECUTADA deja el servicio DADO_DE_BAJA.",
                    )
                )
            elif status_v == "EJECUTADA" and kind_v == "MIGRACION" and service_state_v != "MIGRADO":
                errors.append(
                    (row, "service_state", "Una migración EJECUTADA deja el servicio MIGRADO.")
                )
            elif service_state_v == "MIGRADO" and not (
                kind_v == "MIGRACION" and status_v == "EJECUTADA"
            ):
                errors.append(
                    (
                        row,
                        "service_state",
                        "El servicio queda MIGRADO solo con una migración EJECUTADA.",
                    )
                )

        if len(errors) != n_before:
            return None
        fmt = self.fmt
        return (
            row,
            code,
            kind_v,
            channel_v,
            fmt(requested_at, requested),
            doc_type_v,
            doc_number,
            service_number,
            contract,
            service_v,
            from_plan,
            to_plan,
            reason,
            status_v,
            None
            if scheduled_date is None
            else scheduled
            if len(scheduled) == 10 and scheduled[4] == "-"
            else scheduled_date.isoformat(),
            fmt(executed_at, executed) if executed_at is not None else None,
            rejection,
            service_state_v,
            # A baja executed after the day it was scheduled for (monitoring).
            kind_v == "BAJA"
            and executed_at is not None
            and scheduled_date is not None
            and executed_at.date() > scheduled_date,
            True,  # a good row
        )

    @staticmethod
    def code_of(values: Sequence[str]) -> str | None:
        """The request code of a rejected row, when it has a usable one (for duplicates)."""
        code = values[0].strip().upper()
        return code if code and _code_match(code) else None
