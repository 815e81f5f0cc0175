"""Demo knowledge base (called by `load_demo`; idempotent): a second supervisor who writes
the articles, three approved by the demo supervisor and one draft waiting for him."""

from datetime import date

from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role, User
from sgu.accounts.services import create_staff_user
from sgu.knowledge import services
from sgu.knowledge.models import Article

EDITOR_EMAIL = "editora@demo.sgu.pe"

ARTICLES = [
    (
        "¿Cuánto tarda la portabilidad de un número móvil?",
        "La portabilidad móvil se ejecuta en un plazo máximo de 24 horas desde que la "
        "operadora receptora acepta la solicitud. El usuario conserva su número y no paga "
        "por el cambio. Si no se ejecuta a tiempo, registre el problema en el SGU con la "
        "subcategoría de portabilidad.",
        "Portabilidad",
        "Reglamento de Portabilidad Numérica en los Servicios Públicos Móviles y Fijos",
    ),
    (
        "¿Cómo pide un usuario la baja de su línea?",
        "El titular pide la baja por cualquiera de los canales de atención de la operadora "
        "(tienda, teléfono, web). La operadora no puede condicionarla a pagos pendientes ni "
        "exigir permanencia que no se pactó. El pedido tiene un código que el usuario puede "
        "consultar en el SGU (Consultar una baja o migración).",
        "Bajas y migraciones",
        "Condiciones de Uso de los Servicios Públicos de Telecomunicaciones, bajas",
    ),
    (
        "¿Qué plazo tiene la operadora para responder un reclamo?",
        "La operadora responde el reclamo dentro del plazo que fija el reglamento según la "
        "materia. Si no responde a tiempo, el usuario puede apelar. En el SGU el plazo de "
        "cada caso se calcula en días hábiles y se muestra en la ficha del caso.",
        "Reclamos",
        "Reglamento para la Atención de Reclamos de Usuarios",
    ),
]

DRAFT = (
    "¿Qué hago si mi recarga no llegó a mi saldo?",
    "Pida al usuario el monto, la fecha y el medio de la recarga, y registre el problema "
    "en el SGU con la subcategoría «recarga no acreditada». La operadora debe responder en "
    "el plazo del caso.",
    "Recargas",
    "Procedimiento interno de orientación, recargas",
)


def load_knowledge_demo(*, password: str | None) -> None:
    if Article.objects.exists():
        return
    reviewer = User.objects.filter(email="supervisor@demo.sgu.pe").first()
    if reviewer is None:
        return
    editor = User.objects.filter(email=EDITOR_EMAIL).first() or create_staff_user(
        email=EDITOR_EMAIL,
        password=password,
        role=Role.REGULATOR_SUPERVISOR,
        first_name="Elena",
        last_name="Torres Vega",
    )
    by = principal_for_user(editor)
    for question, answer, category, reference in ARTICLES:
        version = services.propose_article(
            data=services.ArticleInput(
                question=question,
                answer=answer,
                category=category,
                valid_from=date(2026, 1, 1),
                source_reference=reference,
            ),
            by=by,
        )
        services.approve_version(version=version, by=principal_for_user(reviewer))
    question, answer, category, reference = DRAFT
    services.propose_article(
        data=services.ArticleInput(
            question=question,
            answer=answer,
            category=category,
            valid_from=date(2026, 1, 1),
            source_reference=reference,
        ),
        by=by,
    )
