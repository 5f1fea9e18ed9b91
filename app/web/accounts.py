"""Console accounts and sessions: argon2id password hashes, random session tokens kept
only as SHA-256 hashes, and a CSRF token per session. No web framework here, so the CLI
(`qualify users add|list|passwd`) uses it without importing one."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, select

from core.clock import as_utc, utc_now
from store.console_accounts import ConsoleAccount, ConsoleRole, ConsoleSession
from store.crm import User

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
# Guessing passwords online: after this many wrong ones in a row the account waits.
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHasher()


@cache
def _unknown_login_hash() -> str:
    """Verifying against this when the login is unknown costs what a real check costs, so
    the time of an answer does not tell which logins exist. Made on first use: a hash takes
    about 0.1 s, and every `qualify` command imports this module."""
    return _hasher.hash("no such account")


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message names the field and fix,
    and `field` is that field's form name (a page shows the message beside it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Viewer:
    """The signed-in person a request is for."""

    account_id: int
    login: str
    full_name: str
    role: ConsoleRole
    user_id: str | None
    csrf_token: str


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters; choose a longer one",
            "password",
        )


def add_account(
    session: Session,
    login: str,
    password: str,
    role: ConsoleRole,
    *,
    full_name: str | None = None,
    user_id: str | None = None,
) -> ConsoleAccount:
    """Create a console account. A seller's is tied to their CRM user (found by `user_id`
    or by the login's email), since that user's leads are the ones they see."""
    login = login.strip().lower()
    if "@" not in login:
        raise AccountError(f"login {login!r}: give an email address", "login")
    if session.exec(select(ConsoleAccount).where(ConsoleAccount.login == login)).first():
        raise AccountError(
            f"login {login!r} exists; use `qualify users passwd` to reset it", "login"
        )
    _check_password(password)
    user = session.get(User, user_id) if user_id else None
    if user_id and user is None:
        raise AccountError(f"user {user_id!r} is not a CRM user; see `qualify users`", "user_id")
    if user is None:
        user = session.exec(select(User).where(col(User.email).ilike(login))).first()
    if role is ConsoleRole.SELLER and user is None:
        raise AccountError(
            f"role seller: {login!r} is no CRM user's email; pass --user with their user id",
            "user_id",
        )
    account = ConsoleAccount(
        login=login,
        full_name=full_name or (user.full_name if user else login.split("@")[0]),
        role=role,
        user_id=user.id if user else None,
        password_hash=_hasher.hash(password),
    )
    session.add(account)
    session.flush()
    return account


def change_password(session: Session, login: str, password: str) -> None:
    """Set a new password and end every session of the account."""
    account = _account(session, login)
    _check_password(password)
    account.password_hash = _hasher.hash(password)
    account.password_changed_on = utc_now()
    session.add(account)
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id))


def accounts(session: Session) -> list[ConsoleAccount]:
    """Every console account, by login."""
    return list(session.exec(select(ConsoleAccount).order_by(ConsoleAccount.login)))


def _account(session: Session, login: str) -> ConsoleAccount:
    found = session.exec(
        select(ConsoleAccount).where(ConsoleAccount.login == login.strip().lower())
    ).first()
    if found is None:
        raise AccountError(f"login {login!r}: no such account; see `qualify users list`", "login")
    return found


def account_by_id(session: Session, account_id: int) -> ConsoleAccount:
    """The account, or `AccountError` when there is none."""
    account = session.get(ConsoleAccount, account_id)
    if account is None:
        raise AccountError(f"account {account_id}: no such account", "account")
    return account


def _other_enabled_admins(session: Session, account: ConsoleAccount) -> int:
    others = select(ConsoleAccount).where(
        ConsoleAccount.role == ConsoleRole.ADMIN,
        col(ConsoleAccount.disabled).is_(False),
        ConsoleAccount.id != account.id,
    )
    return len(session.exec(others).all())


def _keep_an_admin(session: Session, account: ConsoleAccount, field: str) -> None:
    """Someone must stay able to manage accounts and settings."""
    last = account.role is ConsoleRole.ADMIN and not account.disabled
    if last and _other_enabled_admins(session, account) == 0:
        raise AccountError(
            f"{field}: {account.login} is the last admin; make another account admin first",
            field,
        )


def set_role(session: Session, account_id: int, role: ConsoleRole) -> ConsoleAccount:
    """Give the account another role. A seller needs a CRM user (the leads they see are
    that user's); the last admin keeps theirs."""
    account = account_by_id(session, account_id)
    if role is account.role:
        return account
    if role is ConsoleRole.SELLER and account.user_id is None:
        raise AccountError(
            f"role: {account.login} is tied to no CRM user, so as a seller they would see no "
            "lead; add a new account with the CRM user instead",
            "role",
        )
    if account.role is ConsoleRole.ADMIN:
        _keep_an_admin(session, account, "role")
    account.role = role
    session.add(account)
    # Their open sessions carry the old role's pages: they sign in again.
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id))
    return account


def set_disabled(
    session: Session, account_id: int, disabled: bool, *, by_account_id: int
) -> ConsoleAccount:
    """Disable (every session ends) or enable an account. An admin cannot disable
    themself, nor the last admin."""
    account = account_by_id(session, account_id)
    if disabled and not account.disabled:
        if account.id == by_account_id:
            raise AccountError(
                "disabled: you cannot disable your own account; ask another admin", "disabled"
            )
        _keep_an_admin(session, account, "disabled")
        session.exec(delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id))
    account.disabled = disabled
    session.add(account)
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, login: str, password: str, now: datetime | None = None) -> str | None:
    """The new session's token, or None when the login or password is wrong, or the account
    is disabled or locked after too many wrong passwords (the same answer for each, so it
    tells a guesser nothing)."""
    now = now or utc_now()
    account = session.exec(
        select(ConsoleAccount).where(ConsoleAccount.login == login.strip().lower())
    ).first()
    try:
        _hasher.verify(account.password_hash if account else _unknown_login_hash(), password)
        right = account is not None
    except (VerificationError, InvalidHashError):
        right = False
    if account is None:
        return None
    locked = account.locked_until is not None and as_utc(account.locked_until) > now
    if not right or locked or account.disabled:
        if not right:
            account.failed_sign_ins += 1
            if account.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                account.locked_until = now + LOCKOUT
                account.failed_sign_ins = 0
            session.add(account)
        return None
    account.failed_sign_ins = 0
    account.locked_until = None
    session.exec(  # the account's expired sessions go as a new one starts
        delete(ConsoleSession).where(
            col(ConsoleSession.account_id) == account.id, col(ConsoleSession.expires_on) <= now
        )
    )
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    session.add(account)
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_token_hash(token),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            created_on=now,
            expires_on=now + SESSION_LIFETIME,
        )
    )
    return token


def viewer_of(session: Session, token: str, now: datetime | None = None) -> Viewer | None:
    """Who a session token belongs to, or None if it is unknown, expired or disabled."""
    row = session.get(ConsoleSession, _token_hash(token))
    if row is None or as_utc(row.expires_on) <= (now or utc_now()):
        return None
    account = session.get(ConsoleAccount, row.account_id)
    if account is None or account.disabled:
        return None
    return Viewer(
        account_id=account.id or 0,
        login=account.login,
        full_name=account.full_name,
        role=account.role,
        user_id=account.user_id,
        csrf_token=row.csrf_token,
    )


def sign_out(session: Session, token: str) -> None:
    """End the session the token opened."""
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.token_hash) == _token_hash(token)))
