"""Every indicator the SGU publishes, with its written, versioned definition. The pages show
the definition next to each figure; docs/indicators.md says the same in prose. Changing how a
figure is computed means a new version here and there."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    version: str
    definition: str


INDICATORS: list[Indicator] = [
    Indicator(
        "cases",
        "Casos registrados",
        "casos",
        "1.0",
        "Casos registrados en el periodo (fecha de registro en hora de Lima), en todos los "
        "canales y estados.",
    ),
    Indicator(
        "answered",
        "Casos respondidos",
        "casos",
        "1.0",
        "Casos del periodo en los que la operadora registró una solución.",
    ),
    Indicator(
        "answered_on_time_pct",
        "Respondidos a tiempo",
        "%",
        "1.0",
        "Casos respondidos dentro de su plazo ÷ casos respondidos × 100.",
    ),
    Indicator(
        "avg_response_business_days",
        "Tiempo medio de respuesta",
        "días hábiles",
        "1.0",
        "Promedio, entre los casos respondidos, de los días hábiles desde el día de "
        "recepción hasta la fecha (Lima) de la respuesta; 0 si respondió el mismo día.",
    ),
    Indicator(
        "p90_response_business_days",
        "Tiempo de respuesta, percentil 90",
        "días hábiles",
        "1.0",
        "El 90 % de los casos respondidos lo fue en este número de días hábiles o menos "
        "(percentil por rango más cercano).",
    ),
    Indicator(
        "resolved_pct",
        "Resueltos según el usuario",
        "%",
        "1.0",
        "Casos que el usuario calificó como resueltos ÷ casos respondidos × 100. Un caso sin "
        "calificación nunca cuenta como resuelto.",
    ),
    Indicator(
        "rated",
        "Casos calificados",
        "casos",
        "1.0",
        "Casos respondidos que el usuario calificó.",
    ),
    Indicator(
        "satisfaction_avg",
        "Satisfacción media",
        "de 1 a 5",
        "1.0",
        "Promedio de la satisfacción (1 a 5) de los casos calificados.",
    ),
    Indicator(
        "claims",
        "Reclamos generados",
        "casos",
        "1.0",
        "Casos del periodo que el usuario convirtió en reclamo formal.",
    ),
    Indicator(
        "claims_pct",
        "Conversión a reclamo",
        "%",
        "1.0",
        "Casos que el usuario convirtió en reclamo ÷ casos registrados × 100.",
    ),
    Indicator(
        "cases_per_100k_lines",
        "Casos por 100 000 líneas",
        "casos",
        "1.0",
        "Casos registrados ÷ líneas móviles de la operadora (dato del catálogo) × 100 000.",
    ),
    Indicator(
        "overdue_now",
        "Vencidos ahora",
        "casos",
        "1.0",
        "Casos del periodo sin solución cuyo plazo ya pasó, al momento de la consulta.",
    ),
]
BY_KEY = {i.key: i for i in INDICATORS}
