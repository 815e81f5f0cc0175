"""The production profile's refusal to start: with SGU_ENV=production, settings.py calls
`refuse_unsafe_production` last, and any missing or unsafe value stops every process (web,
worker, scheduler, manage.py) before it serves anything, naming each variable at fault."""

from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50


def production_problems(conf: dict[str, Any]) -> list[str]:
    """What is missing or unsafe in the settings module's values `conf`, one line each."""
    problems: list[str] = []
    key = conf.get("SECRET_KEY") or ""
    if not key or key == conf.get("DEV_SECRET_KEY") or key.startswith("django-insecure"):
        problems.append("SECRET_KEY: falta (la clave de desarrollo no sirve en producción)")
    elif len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        problems.append(
            f"SECRET_KEY: demasiado corta o repetitiva (al menos {MIN_SECRET_KEY_LENGTH} "
            "caracteres al azar)"
        )
    if conf.get("DEBUG"):
        problems.append("DEBUG: debe ser false en producción (muestra código y variables)")
    hosts = conf.get("ALLOWED_HOSTS") or []
    if not hosts:
        problems.append("ALLOWED_HOSTS: falta (los nombres de host que sirve la plataforma)")
    elif "*" in hosts:
        problems.append("ALLOWED_HOSTS: «*» acepta cualquier Host; nombre los hosts servidos")
    engine = (conf.get("DATABASES") or {}).get("default", {}).get("ENGINE", "")
    if not conf.get("DATABASE_URL"):
        problems.append("DATABASE_URL: falta (PostgreSQL, p. ej. postgres://usuario@host/sgu)")
    elif not engine.endswith("postgresql"):
        problems.append("DATABASE_URL: producción usa PostgreSQL (postgres://…)")
    site = urlparse(conf.get("SITE_URL") or "")
    if site.scheme != "https" or not site.hostname:
        problems.append("SITE_URL: debe ser la dirección pública con https:// (enlaces de correos)")
    elif hosts and "*" not in hosts and not _host_allowed(site.hostname, hosts):
        problems.append(f"SITE_URL: su host {site.hostname} no está en ALLOWED_HOSTS")
    if not conf.get("EMAIL_HOST"):
        problems.append("EMAIL_HOST: falta (servidor SMTP; sin él los correos no salen)")
    if conf.get("LOG_FORMAT") not in {"json", "text"}:
        problems.append("LOG_FORMAT: json o text")
    return problems


def _host_allowed(host: str, allowed: list[str]) -> bool:
    for pattern in allowed:
        if pattern == host or (
            pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:])
        ):
            return True
    return False


def refuse_unsafe_production(conf: dict[str, Any]) -> None:
    problems = production_problems(conf)
    if problems:
        raise ImproperlyConfigured(
            "SGU_ENV=production no arranca con esta configuración (ver .env.example y "
            "docs/operations.md):\n  - " + "\n  - ".join(problems)
        )
