"""SGU_ENV=production: a complete, safe environment passes `manage.py check --deploy` with no
warning; a missing or unsafe value stops the process before it serves anything, naming the
variable."""

import pytest

from ops.helpers import manage, production_env


def test_given_a_complete_production_environment_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_settings_are_the_safe_ones():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER,"
        " s.STORAGES['staticfiles']['BACKEND'], s.CSRF_TRUSTED_ORIGINS, s.LOG_FORMAT)"
    )
    result = manage("shell", "-v", "0", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "['https://sgu.example.gob.pe']",
        "json",
    ]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY: falta"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me-in-production-0123456789"}, "SECRET_KEY"),
        ({"SECRET_KEY": "corta-1234"}, "SECRET_KEY: demasiado corta"),
        ({"DEBUG": "true"}, "DEBUG: debe ser false"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS: falta"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS: «*»"),
        ({"DATABASE_URL": None}, "DATABASE_URL: falta"),
        ({"DATABASE_URL": "sqlite:////tmp/sgu.sqlite3"}, "DATABASE_URL: producción usa PostgreSQL"),
        ({"SITE_URL": "http://sgu.example.gob.pe"}, "SITE_URL: debe ser"),
        ({"SITE_URL": "https://otro.example.com"}, "SITE_URL: su host otro.example.com"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST: falta"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_given_a_missing_or_unsafe_value_production_refuses_to_start_naming_it(overrides, named):
    result = manage("check", env=production_env(**overrides))
    assert result.returncode != 0
    assert "SGU_ENV=production no arranca" in result.stderr
    assert named in result.stderr, result.stderr[-800:]


def test_every_problem_is_named_at_once():
    env = production_env(SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None, SITE_URL=None)
    result = manage("check", env=env)
    assert result.returncode != 0
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL"):
        assert f"  - {variable}:" in result.stderr


def test_without_sgu_env_the_development_defaults_still_start():
    env = production_env(SGU_ENV=None, SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None)
    env.pop("SITE_URL")
    env.pop("EMAIL_HOST")
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_env_example_documents_every_variable_the_profile_checks():
    from ops.helpers import ROOT

    example = (ROOT / ".env.example").read_text()
    for variable in (
        "SGU_ENV",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "DATABASE_POOL_MAX_SIZE",
        "SITE_URL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "REDIS_URL",
        "LOG_FORMAT",
        "SGU_TRUST_X_FORWARDED_FOR",
        "SGU_METRICS_TOKEN",
    ):
        assert f"{variable}=" in example, variable
