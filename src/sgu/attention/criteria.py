"""The incident classification criteria of the attention manual (9.3.5 criticality, 9.3.6
complexity), shown next to the choice wherever an incident is classified (issue 17, point 8).
Applied to the regulator: «the services» are the SGU and the regulator's attention."""

CRITICALITY_CRITERIA = {
    "ALTO": [
        "Existe una pérdida parcial de los servicios.",
        "Existe un impacto en el cumplimiento de las actividades.",
    ],
    "MEDIO": [
        "Existen problemas que afectan al sistema, pero no tienen impacto directo en los "
        "servicios.",
        "Existen problemas que afectan a un grupo reducido de usuarios bajo condiciones "
        "especiales.",
    ],
    "BAJO": [
        "Existen problemas que limitan el uso de la aplicación, pero que no afectan las "
        "funciones ni las operaciones.",
    ],
}

COMPLEXITY_DESCRIPTIONS = {
    "BAJA": "Atención recurrente, que requiere un análisis técnico simple, sobre la cual se "
    "cuenta con una plantilla para la solución.",
    "MEDIA": "Atención recurrente, que requiere un análisis técnico de mediana complejidad, y "
    "que ocurre con poca frecuencia en el año.",
    "ALTA": "Atención no recurrente, que requiere un análisis técnico de alta complejidad, y "
    "que ha ocurrido antes como máximo una o dos veces al año.",
    "MUY_ALTA": "Atención no recurrente, que requiere un análisis técnico de muy alta "
    "complejidad, y que posiblemente requiere revisiones técnicas sobre la plataforma "
    "tecnológica de los sistemas.",
    "INDEFINIDA": "Atención no recurrente, que requiere un análisis técnico de muy alta "
    "complejidad, y se relaciona con la información que proveen entidades externas o depende "
    "de la disponibilidad de sus servicios.",
}
