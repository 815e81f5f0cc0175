"""Demo routing of the suggestion topics to the demo areas (called by `load_demo`;
idempotent). "Otro tema" stays without an area: the staff triage it."""

from sgu.attention.models import Area
from sgu.suggestions.models import SuggestionTopic

DEMO_ROUTING = {
    "atencion": "ORIENTACION",
    "sitio-web": "SOPORTE-TI",
    "operadoras": "FISCALIZACION",
    "tarifas": "TARIFAS",
}


def load_suggestion_routing() -> None:
    areas = {a.code: a for a in Area.objects.filter(code__in=DEMO_ROUTING.values())}
    for topic, area in DEMO_ROUTING.items():
        if area in areas:
            SuggestionTopic.objects.filter(code=topic, area__isnull=True).update(area=areas[area])
