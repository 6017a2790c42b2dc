"""Is this configuration safe to serve a real hotline with?

`puente serve` refuses to start while `insecure_configuration_reasons` returns anything,
and names every reason at once, so an operator fixes them in one pass instead of one
restart per problem. Plain functions of a settings object, so tests pass their own.
"""

from __future__ import annotations

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5


def insecure_configuration_reasons(settings) -> list[str]:
    """Every reason this configuration must not serve real survivors' data, each naming
    the environment variable that fixes it."""
    reasons: list[str] = []
    if getattr(settings, "PUENTE_DEMO", False):
        reasons.append(
            "PUENTE_DEMO is true: demo mode relaxes MFA and secure cookies for a laptop. "
            "Unset PUENTE_DEMO (use `puente demo` for demonstrations)."
        )
    if getattr(settings, "DEBUG", False):
        reasons.append(
            "DEBUG is true: error pages would show settings and case data. Set DEBUG=false."
        )

    secret = getattr(settings, "SECRET_KEY", "") or ""
    prefix = getattr(settings, "INSECURE_SECRET_PREFIX", "insecure-")
    if not secret:
        reasons.append("SECRET_KEY is missing. Set SECRET_KEY or SECRET_KEY_FILE.")
    elif secret.startswith(prefix):
        reasons.append(
            f"SECRET_KEY is the built-in placeholder (starts with “{prefix}”). "
            "Set SECRET_KEY or SECRET_KEY_FILE to a random value."
        )
    elif len(secret) < MIN_SECRET_KEY_LENGTH or len(set(secret)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS:
        reasons.append(
            f"SECRET_KEY is too weak ({len(secret)} characters; at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters are needed). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )

    if not getattr(settings, "PUENTE_MFA_REQUIRED", False):
        reasons.append(
            "PUENTE_MFA_REQUIRED is false: staff could sign in with a password alone. "
            "Set PUENTE_MFA_REQUIRED=true."
        )

    hosts = list(getattr(settings, "ALLOWED_HOSTS", []) or [])
    if not hosts:
        reasons.append("ALLOWED_HOSTS is empty. Set ALLOWED_HOSTS to the hotline's host names.")
    elif "*" in hosts:
        reasons.append(
            "ALLOWED_HOSTS contains “*”: any Host header is accepted (password-reset links and "
            "cache poisoning). List the real host names."
        )

    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        reasons.append(
            "SESSION_COOKIE_SECURE is false: the session cookie would travel over plain HTTP. "
            "Set PUENTE_SECURE_COOKIES=true (and serve over HTTPS)."
        )
    if not getattr(settings, "CSRF_COOKIE_SECURE", False):
        reasons.append("CSRF_COOKIE_SECURE is false. Set PUENTE_SECURE_COOKIES=true.")
    return reasons


def configuration_warnings(settings) -> list[str]:
    """Choices that are allowed but worth saying out loud at start-up."""
    warnings: list[str] = []
    databases = getattr(settings, "DATABASES", {}) or {}
    engine = databases.get("default", {}).get("ENGINE", "")
    if engine.endswith("sqlite3"):
        warnings.append(
            "The database is SQLite: fine for a small hotline on one machine; back up the file "
            "daily and move to PostgreSQL (DATABASE_URL) before volume grows."
        )
    if not getattr(settings, "SECURE_HSTS_SECONDS", 0):
        warnings.append("PUENTE_HSTS_SECONDS is 0: browsers are not told to insist on HTTPS.")
    if not getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        warnings.append(
            "Neither PUENTE_SSL_REDIRECT nor PUENTE_BEHIND_PROXY is set: make sure HTTPS ends "
            "in front of Puente (a reverse proxy) and that plain HTTP is never exposed."
        )
    return warnings
