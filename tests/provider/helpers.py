"""The provider's people, requirements and replicas, made through the services."""

from dataclasses import dataclass

from factories import PASSWORD, dni
from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.knowledge import services as knowledge
from sgu.provider import services
from sgu.provider.models import Provider

P = principal_for_user


def regulator(role: str = "REGULATOR_SUPERVISOR", first: str = "Carmen"):
    return accounts.create_staff_user(
        email=f"reg{dni()}@regulador.example.pe",
        password=PASSWORD,
        role=role,
        first_name=first,
        last_name="Salas",
    )


@dataclass
class Team:
    provider: Provider
    cx: object  # supervisor de Experiencia Cliente
    coordinator: object
    trainer: object
    ops: object  # supervisor de operaciones
    monitor: object
    advisors: list


def make_team(code: str = "CONTACTA", n_advisors: int = 2, client_email: str = "") -> Team:
    provider = services.create_provider(
        code=code, name=f"{code.title()} Centro de Contacto S.A.C.", client_email=client_email
    )

    def person(role, first):
        return services.add_staff(
            provider=provider,
            email=f"{first.lower()}{dni()}@{code.lower()}.example.pe",
            password=PASSWORD,
            role=role,
            first_name=first,
            last_name=code.title(),
        )

    return Team(
        provider=provider,
        cx=person(Role.PROVIDER_CX_SUPERVISOR, "Sofia"),
        coordinator=person(Role.PROVIDER_COORDINATOR, "Raul"),
        trainer=person(Role.PROVIDER_TRAINER, "Elena"),
        ops=person(Role.PROVIDER_OPS_SUPERVISOR, "Oscar"),
        monitor=person(Role.PROVIDER_MONITOR, "Mario"),
        advisors=[person(Role.PROVIDER_ADVISOR, f"Asesor{i}") for i in range(n_advisors)],
    )


def file(team: Team, client, *, now=None, type="NEW_INFO", topic="Portabilidad numérica"):
    return services.file_requirement(
        provider=team.provider,
        data=services.RequirementInput(
            type=type,
            topic=topic,
            description="Informar a los asesores el nuevo plazo de portabilidad numérica.",
        ),
        by=P(client),
        now=now,
    )


def approved_version(author=None, reviewer=None):
    author = author or regulator(first="Autora")
    reviewer = reviewer or regulator(first="Revisora")
    draft = knowledge.propose_article(
        data=knowledge.ArticleInput(
            question="¿Cuánto demora la portabilidad numérica?",
            answer="La portabilidad se ejecuta en un plazo de 24 horas desde la solicitud.",
            category="Portabilidad",
            valid_from="2026-01-01",
            source_reference="Reglamento de portabilidad",
        ),
        by=P(author),
    )
    return knowledge.approve_version(version=draft, by=P(reviewer))


def to_replica_stage(req, team: Team, client, *, now):
    """Take a requirement from VALIDATION to REPLICA, every step at `now`."""
    req = services.accept(requirement=req, by=P(team.cx), now=now)
    req = services.acknowledge(requirement=req, by=P(team.ops), now=now)
    days = 20 if req.type == "SYSTEM_CHANGE" else None
    req = services.confirm_feasibility(requirement=req, by=P(team.cx), granted_days=days, now=now)
    return services.start_deployment(requirement=req, by=P(team.cx), now=now)
