"""The monthly indicators of the regulator's own attention, each with its written, versioned
definition (shown next to each figure on the page and in docs/attention.md). Months are
calendar months in America/Lima. Changing how a figure is computed means a new version here
and there."""

from sgu.reporting.indicators import Indicator  # the same shape as the statistics' ones

CRITICALITIES = ("ALTO", "MEDIO", "BAJO")

INDICATORS: list[Indicator] = [
    Indicator(
        "queries",
        "Consultas registradas",
        "consultas",
        "1.0",
        "Consultas que el 1.er nivel registró en el mes (fecha de registro), de todos los canales.",
    ),
    Indicator(
        "escalated_cases",
        "Casos escalados",
        "casos",
        "1.0",
        "Casos (problemas con una operadora) que el 1.er nivel escaló al 2.º nivel por "
        "primera vez en el mes.",
    ),
    Indicator(
        "attentions",
        "Atenciones del mes",
        "atenciones",
        "1.0",
        "Consultas registradas + casos escalados del mes: el total de atenciones del modelo "
        "de niveles.",
    ),
    Indicator(
        "escalations_l2",
        "Escalamientos al 2.º nivel",
        "escalamientos",
        "1.0",
        "Envíos de un caso o consulta a un área del 2.º nivel hechos en el mes (un re-envío "
        "tras una devolución cuenta otra vez).",
    ),
    Indicator(
        "escalations_l3",
        "Escalamientos al 3.er nivel",
        "escalamientos",
        "1.0",
        "Envíos de un área del 2.º nivel a un área del 3.er nivel hechos en el mes.",
    ),
    Indicator(
        "resolved",
        "Atenciones resueltas",
        "atenciones",
        "1.0",
        "Atenciones del mes que ya tienen respuesta informada al ciudadano: consultas "
        "respondidas y casos escalados cuya respuesta el 1.er nivel informó.",
    ),
    *(
        Indicator(
            f"resolved_l{n}_pct",
            f"Resueltas en el {label} nivel",
            "%",
            "1.0",
            f"Atenciones resueltas cuya respuesta escribió el {label} nivel ÷ atenciones "
            "resueltas × 100."
            + (
                " Una consulta respondida sin escalar se resuelve en el 1.er nivel."
                if n == 1
                else ""
            ),
        )
        for n, label in ((1, "1.er"), (2, "2.º"), (3, "3.er"))
    ),
    Indicator(
        "routed_ok_pct",
        "Bien derivados",
        "%",
        "1.0",
        "Escalamientos del mes (2.º y 3.er nivel) que el área respondió ÷ escalamientos del "
        "mes que el área respondió o devolvió por no corresponderle × 100. Los pendientes no "
        "cuentan.",
    ),
    Indicator(
        "informed_same_day_pct",
        "Informadas el mismo día",
        "%",
        "1.0",
        "Respuestas del 2.º nivel que el 1.er nivel informó al ciudadano el mismo día (Lima) en "
        "que le llegaron ÷ respuestas informadas × 100, entre los escalamientos del mes.",
    ),
    *(
        ind
        for c in CRITICALITIES
        for ind in (
            Indicator(
                f"avg_days_{c}",
                f"Tiempo medio de respuesta, criticidad {c.lower()}",
                "días hábiles",
                "1.0",
                f"Promedio, entre los escalamientos del mes de criticidad {c.lower()} que el "
                "área respondió, de los días hábiles desde el día de recepción hasta la fecha "
                "(Lima) de la respuesta; 0 si respondió el mismo día.",
            ),
            Indicator(
                f"within_pct_{c}",
                f"Respondidos en plazo, criticidad {c.lower()}",
                "%",
                "1.0",
                f"Escalamientos del mes de criticidad {c.lower()} respondidos hasta su plazo "
                "(el máximo de días hábiles de la criticidad) ÷ escalamientos respondidos de "
                "esa criticidad × 100.",
            ),
        )
    ),
]
BY_KEY = {i.key: i for i in INDICATORS}
