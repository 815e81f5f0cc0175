"""Knowledge base benchmark: the agents' search, their pending-reads list and the supervisors'
overview with read percentages, over a knowledge base far larger than a regulator keeps.

Builds (once per database; `--fresh` rebuilds) N articles with 2 versions each (the second
one approved, so the first is history), 1 draft in 10, 40 active agents and read
confirmations for half of the versions in force by half of the agents — rows written with
bulk_create (data for the benchmark, not a use case). Then times, median of R runs:

- search: 3 queries (one word, two words without accents, a word that matches nothing);
- pending: one agent's "pendientes de lectura" (count and first page);
- overview: the supervisors' page data (every article, its version in force, draft, %).

Usage: `.venv/bin/python bench/knowledge.py [--db URL] [--articles 5000] [--runs 7] [--fresh]`
(default database: SQLite file var/bench_knowledge.sqlite3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'var' / 'bench_knowledge.sqlite3'}"

WORDS = [
    "portabilidad",
    "baja",
    "migración",
    "recarga",
    "reclamo",
    "apelación",
    "plazo",
    "tarifa",
    "plan",
    "línea",
    "roaming",
    "facturación",
    "cobro",
    "velocidad",
    "cobertura",
    "equipo",
    "bloqueo",
    "robo",
    "titular",
    "contrato",
]


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "sgu.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n: int) -> None:
    from datetime import date

    from django.db import transaction
    from django.utils import timezone

    from sgu.accounts.models import Role, User
    from sgu.knowledge.models import Article, ArticleVersion, ReadConfirmation
    from sgu.knowledge.selectors import normalize

    if Article.objects.count() >= n:
        return
    now = timezone.now()
    with transaction.atomic():
        boss, _ = User.objects.get_or_create(
            email="kb.bench.supervisor@example.pe",
            defaults={
                "username": "kb.bench.supervisor@example.pe",
                "role": Role.REGULATOR_SUPERVISOR,
            },
        )
        agents = [
            User(
                username=f"kb.bench.{i}@example.pe",
                email=f"kb.bench.{i}@example.pe",
                role=Role.REGULATOR_AGENT,
            )
            for i in range(40)
        ]
        User.objects.bulk_create(agents, ignore_conflicts=True)
        agents = list(User.objects.filter(email__startswith="kb.bench.", role=Role.REGULATOR_AGENT))
        articles = Article.objects.bulk_create(
            [Article(created_by=boss) for _ in range(n)], batch_size=2000
        )
        versions = []
        for i, a in enumerate(articles):
            w = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(4)]
            question = f"¿Qué hacer con {w[0]} y {w[1]} en el caso {i}?"
            answer = (
                f"Respuesta sobre {w[2]} y {w[3]}: el orientador explica el trámite, los plazos "
                f"en días hábiles y cómo registrar el problema en el SGU. Referencia {i}."
            )
            category = w[0].capitalize()
            for number in (1, 2):
                versions.append(
                    ArticleVersion(
                        article=a,
                        number=number,
                        question=question,
                        answer=answer + f" v{number}",
                        category=category,
                        valid_from=date(2025, 1, number),
                        status="APPROVED",
                        source_reference="Reglamento",
                        search_text=normalize(f"{question} {answer} {category}"),
                        written_by=boss,
                        written_at=now,
                        reviewed_by=boss,
                        reviewed_at=now,
                    )
                )
            if i % 10 == 0:
                versions.append(
                    ArticleVersion(
                        article=a,
                        number=3,
                        question=question,
                        answer=answer + " borrador",
                        category=category,
                        valid_from=date(2025, 6, 1),
                        status="DRAFT",
                        source_reference="Reglamento",
                        search_text=normalize(f"{question} {answer}"),
                        written_by=boss,
                        written_at=now,
                    )
                )
        ArticleVersion.objects.bulk_create(versions, batch_size=2000)
        in_force = list(ArticleVersion.objects.filter(number=2).values_list("pk", flat=True))
        reads = [
            ReadConfirmation(version_id=v, user=u, confirmed_at=now)
            for v in in_force[: len(in_force) // 2]
            for u in agents[:20]
        ]
        ReadConfirmation.objects.bulk_create(reads, batch_size=5000, ignore_conflicts=True)


def timed(fn, runs: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.fresh and args.db.startswith("sqlite:///"):
        Path(args.db.removeprefix("sqlite:///")).unlink(missing_ok=True)
    setup(args.db)
    t = time.perf_counter()
    build(args.articles)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no statistics yet (autovacuum would gather them
        # later); without them the planner picks nested loops that take seconds.
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"datos listos en {time.perf_counter() - t:.1f} s")

    from sgu.accounts.models import User
    from sgu.knowledge import selectors
    from sgu.knowledge.models import ArticleVersion, ReadConfirmation

    agent = User.objects.filter(email="kb.bench.0@example.pe").first()
    print(
        f"base: {args.db.split('://')[0]}, {ArticleVersion.objects.count()} versiones, "
        f"{ReadConfirmation.objects.count()} confirmaciones, {args.runs} corridas (mediana)"
    )
    rows = [
        ("búsqueda «portabilidad»", lambda: selectors.search("portabilidad")),
        ("búsqueda «linea tramite» (sin tildes)", lambda: selectors.search("linea tramite")),
        ("búsqueda sin resultados «satelital»", lambda: selectors.search("satelital")),
        ("pendientes de un orientador (cuenta)", lambda: selectors.pending_reads(agent).count()),
        ("pendientes, primeros 50", lambda: list(selectors.pending_reads(agent)[:50])),
        ("gestión: todos los artículos con su %", lambda: selectors.overview()),
    ]
    for label, fn in rows:
        ms, out = timed(fn, args.runs)
        size = out if isinstance(out, int) else len(out)
        print(f"  {label:<42} {ms:8.1f} ms   ({size} filas)")


if __name__ == "__main__":
    main()
