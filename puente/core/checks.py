"""Is this configuration safe to serve a real hotline with?

`puente serve` refuses to start while `insecure_configuration_reasons` returns anything,
and names every reason at once, so an operator fixes them in one pass instead of one
restart per problem. Plain functions of a settings object, so tests pass their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MIN_SECRET_KEY_LENGTH = 50
# The audit trail's HMAC key (puente.audit.keys.MIN_KEY_LENGTH; core cannot import audit).
MIN_AUDIT_KEY_LENGTH = 32
# A random 50-character key from Django's or `secrets.token_urlsafe`'s alphabet has about
# 30 different characters (fewer than 20 happens about once in 10^9 keys); a phrase typed
# or repeated to reach the length ("change-me-change-me-…") has a handful.
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 20


def _repeats_a_pattern(text: str) -> bool:
    """True for text that is one shorter piece written again and again (`abcdeabcde…`)."""
    return any(
        all(text[i] == text[i - period] for i in range(period, len(text)))
        for period in range(1, len(text) // 2 + 1)
    )


def _too_broad(host: str) -> bool:
    """`.org` or `.` would accept every site under a whole top-level domain: a leading-dot
    entry must name at least a registered domain (`.hotline.org`)."""
    return host.startswith(".") and host.strip(".").count(".") < 1


_GENERATE_KEY = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"


# Reasons that depend on an app's own data (a partner hotline registered with a plain-HTTP
# address): core knows none of those apps, so each adds its check from AppConfig.ready().
_app_checks: list[Callable[[Any], list[str]]] = []


def add_configuration_check(check: Callable[[Any], list[str]]) -> None:
    """Register `check(settings) -> reasons` to run with the checks below."""
    if check not in _app_checks:
        _app_checks.append(check)


def insecure_configuration_reasons(settings: Any) -> list[str]:
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
    elif len(secret) < MIN_SECRET_KEY_LENGTH:
        reasons.append(
            f"SECRET_KEY is too short ({len(secret)} characters; at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters are needed). {_GENERATE_KEY}"
        )
    elif len(set(secret)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS or _repeats_a_pattern(secret):
        reasons.append(
            f"SECRET_KEY is not random: it has only {len(set(secret))} different characters "
            f"or repeats a pattern, so it can be guessed. {_GENERATE_KEY}"
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
    broad = [host for host in hosts if host != "*" and _too_broad(host)]
    if broad:
        reasons.append(
            f"ALLOWED_HOSTS contains {', '.join(broad)}: every site under that top-level "
            "domain would be accepted. List the real host names (or `.your-domain.org`)."
        )

    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        reasons.append(
            "SESSION_COOKIE_SECURE is false: the session cookie would travel over plain HTTP. "
            "Set PUENTE_SECURE_COOKIES=true (and serve over HTTPS)."
        )
    if not getattr(settings, "CSRF_COOKIE_SECURE", False):
        reasons.append("CSRF_COOKIE_SECURE is false. Set PUENTE_SECURE_COOKIES=true.")
    audit_key = getattr(settings, "PUENTE_AUDIT_KEY", "") or ""
    if not audit_key:
        reasons.append(
            "PUENTE_AUDIT_KEY is missing: the audit trail could not be signed, and anyone "
            "with database access could rewrite it unseen. Set PUENTE_AUDIT_KEY or "
            f"PUENTE_AUDIT_KEY_FILE. {_GENERATE_KEY}"
        )
    elif len(audit_key) < MIN_AUDIT_KEY_LENGTH:
        reasons.append(
            f"PUENTE_AUDIT_KEY is too short ({len(audit_key)} characters; at least "
            f"{MIN_AUDIT_KEY_LENGTH} random characters are needed). {_GENERATE_KEY}"
        )
    for check in _app_checks:
        reasons.extend(check(settings))
    return reasons


def configuration_warnings(settings: Any) -> list[str]:
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
