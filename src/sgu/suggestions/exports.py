"""The annual report's list as CSV (core/export.py: streamed, formula-guarded). The
sender's name and email are not in it: the report is about the suggestions."""

from collections.abc import Iterator

from sgu.core.web import format_local
from sgu.suggestions import selectors

HEADER = [
    "codigo",
    "recibida",
    "canal",
    "tema",
    "area",
    "estado",
    "respondida",
    "sugerencia",
    "respuesta",
    "acciones_adoptadas",
]


def rows(year: int) -> Iterator[list]:
    for s in selectors.annual_list(year).iterator(chunk_size=500):
        yield [
            s.code,
            format_local(s.received_at),
            s.get_channel_display(),
            s.topic.name if s.topic else "",
            s.area.name if s.area else "",
            s.get_state_display(),
            format_local(s.answered_at),
            s.text,
            s.answer,
            " | ".join(f"{format_local(a.at)}: {a.note}" for a in s.actions),
        ]


def filename(year: int) -> str:
    return f"sugerencias-{year}.csv"
