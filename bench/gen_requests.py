"""Generate a daily bajas y migraciones report (docs/service_requests.md) for benchmarks.

Deterministic for a given seed: a CSV in the published layout, streamed to disk (constant
memory whatever the size). A fraction of rows can be made invalid, each in one of several
ways the ingest must report (bad document, date in the future, migration without target
plan, unknown status, rejection without reason).

    .venv/bin/python bench/gen_requests.py --rows 1000000 --out /tmp/bajas.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

COLUMNS = (
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
)
CHANNELS = ("PRESENCIAL", "TELEFONICO", "WEB", "APP", "OTRO")
PLANS = ("Prepago Chévere", "Max 39.90", "Max 55.90", "Max 69.90", "Ilimitado 99", "Control 29")
REASONS = ("", "", "", "Cambio de operador", "Mudanza", "Costo del plan", "Viaje al exterior")
REJECTIONS = ("Deuda pendiente", "Titular no validado", "Equipo financiado")
_RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _ruc(rng: random.Random) -> str:
    body = "20" + f"{rng.randrange(10**8):08d}"
    total = sum(int(c) * w for c, w in zip(body, _RUC_WEIGHTS, strict=True))
    return body + str((11 - total % 11) % 10)


def rows(
    n: int, *, report_date: date, seed: int = 7, invalid_fraction: float = 0.0, prefix: str = "P"
):
    """Yield `n` rows (lists of 16 strings) of one operator's report for `report_date`."""
    rng = random.Random(seed)
    day0 = datetime.combine(report_date, datetime.min.time())
    stamp = f"{report_date:%Y%m%d}"
    bad_every = int(1 / invalid_fraction) if invalid_fraction > 0 else 0
    for i in range(n):
        # Most rows are requests received that day; some are updates of older ones.
        back = 0 if rng.random() < 0.8 else rng.randrange(1, 10)
        requested = day0 - timedelta(days=back) + timedelta(seconds=rng.randrange(86_000))
        migration = rng.random() < 0.3
        roll = rng.random()
        executed = ""
        rejection = ""
        if roll < 0.35:
            status = "REGISTRADA"
        elif roll < 0.6:
            status = "EN_PROCESO"
        elif roll < 0.85:
            status = "EJECUTADA"
            end = day0 + timedelta(days=1)
            span = int((end - requested).total_seconds()) - 1
            executed = (
                f"{requested + timedelta(seconds=rng.randrange(max(span, 1))):%Y-%m-%d %H:%M:%S}"
            )
        elif roll < 0.95:
            status = "RECHAZADA"
            rejection = rng.choice(REJECTIONS)
        else:
            status = "ANULADA"
        if rng.random() < 0.9:
            doc_type, doc = "DNI", f"{rng.randrange(10**7, 10**8):08d}"
        elif rng.random() < 0.5:
            doc_type, doc = "RUC", _ruc(rng)
        else:
            doc_type, doc = "CE", f"{rng.randrange(10**8, 10**9):09d}"
        from_plan = rng.choice(PLANS)
        to_plan = ""
        if migration:
            to_plan = rng.choice([p for p in PLANS if p != from_plan])
        scheduled = (requested.date() + timedelta(days=rng.randrange(0, 6))).isoformat()
        row = [
            f"{prefix}{stamp}-{i:07d}",
            "MIGRACION" if migration else "BAJA",
            rng.choice(CHANNELS),
            f"{requested:%Y-%m-%d %H:%M:%S}",
            doc_type,
            doc,
            f"9{rng.randrange(10**8):08d}",
            "",
            "MOVIL",
            from_plan,
            to_plan,
            rng.choice(REASONS),
            status,
            scheduled,
            executed,
            rejection,
        ]
        if bad_every and i % bad_every == bad_every // 2:
            _spoil(row, rng)
        yield row


def _spoil(row: list[str], rng: random.Random) -> None:
    how = rng.randrange(5)
    if how == 0:
        row[4], row[5] = "DNI", "1234"  # a DNI with 4 digits
    elif how == 1:
        row[3] = "2099-01-01 10:00:00"  # in the future
    elif how == 2:
        row[1], row[10] = "MIGRACION", ""  # a migration without target plan
    elif how == 3:
        row[12] = "PENDIENTE"
    else:
        row[12], row[15], row[14] = "RECHAZADA", "", ""


def write(
    path: Path,
    n: int,
    *,
    report_date: date,
    seed: int = 7,
    invalid_fraction: float = 0.0,
    delimiter: str = ",",
    prefix: str = "P",
) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        out.writerow(COLUMNS)
        batch: list[list[str]] = []
        for row in rows(
            n, report_date=report_date, seed=seed, invalid_fraction=invalid_fraction, prefix=prefix
        ):
            batch.append(row)
            if len(batch) == 10_000:
                out.writerows(batch)
                batch.clear()
        out.writerows(batch)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--report-date", type=date.fromisoformat, default=date.today() - timedelta(days=1)
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--invalid-fraction",
        type=float,
        default=0.0,
        help="fracción de filas inválidas, p. ej. 0.001",
    )
    p.add_argument("--delimiter", default=",", choices=[",", ";"])
    args = p.parse_args(argv)
    write(
        args.out,
        args.rows,
        report_date=args.report_date,
        seed=args.seed,
        invalid_fraction=args.invalid_fraction,
        delimiter=args.delimiter,
    )
    print(f"{args.out}: {args.rows} filas, {args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
