"""One-click unsubscribe tokens (RFC 8058): the lead's id, signed with HMAC-SHA256.

The token names the lead and cannot be made without the secret, so a link cannot be
edited to unsubscribe somebody else. The secret is `QUALIFY_UNSUBSCRIBE_SECRET`, else one
generated once and kept in the home folder (`unsubscribe.secret`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from core.settings import Settings

SECRET_FILE = "unsubscribe.secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(lead_id: str, secret: bytes) -> bytes:
    return hmac.new(secret, b"unsubscribe:" + lead_id.encode("utf-8"), hashlib.sha256).digest()


def unsubscribe_token(lead_id: str, secret: bytes) -> str:
    """The token for `lead_id`: `<lead id, base64url>.<HMAC, base64url>`."""
    return f"{_b64(lead_id.encode('utf-8'))}.{_b64(_signature(lead_id, secret))}"


def lead_of_token(token: str, secret: bytes) -> str | None:
    """The lead a token names, or None when it is malformed or its signature is wrong."""
    encoded, dot, signature = token.strip().partition(".")
    if not dot or not encoded or not signature:
        return None
    try:
        lead_id = _unb64(encoded).decode("utf-8")
        given = _unb64(signature)
    except (ValueError, UnicodeDecodeError):
        return None
    return lead_id if lead_id and hmac.compare_digest(given, _signature(lead_id, secret)) else None


def unsubscribe_secret(settings: Settings | None = None) -> bytes:
    """The signing secret: the setting, else the home's file (made on first use, 0600)."""
    env = settings or Settings()
    if env.unsubscribe_secret is not None:
        return env.unsubscribe_secret.get_secret_value().encode("utf-8")
    path = Path(env.home) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once keep one secret, never two.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32))
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(
            f"{path} is empty; delete it to make a new unsubscribe secret, or set "
            "QUALIFY_UNSUBSCRIBE_SECRET"
        )
    return value.encode("ascii")
