"""Sign in with Google: OpenID Connect's authorization code flow with PKCE (S256).

The flow, as the use cases run it:

1. `StartGoogleSignIn` makes a state, a nonce and a PKCE verifier, keeps the three
   server-side (single-use, 10 minutes) under the state, and answers the provider's
   authorize URL carrying the state, the nonce and the verifier's S256 challenge.
2. `FinishGoogleSignIn` takes the stored values back by the state (once: a replayed
   or unknown state is refused), has the provider exchange the code with the verifier
   and check the ID token (signature, issuer, audience, expiry, nonce), finds or makes
   the account, and answers a front-end URL carrying a one-time code in its fragment.
3. `ExchangeSignInCode` turns that code (single-use, 60 seconds) into a session, the
   same access and refresh tokens as a password login.

Accounts are linked by Google's subject. A Google account whose email Google has not
verified makes no account and links none (400 `google_email_unverified`): otherwise it
could claim an address before its owner signs up, and keep a way into the account the
owner later makes. A local account of the same email is linked only when the local
account is verified too, else 409 `account_exists_unverified`; one already linked to
another Google account is never relinked (409 `account_linked_elsewhere`). A refused
sign-in leaves the local account untouched.
No token travels in a URL: the front-end gets only the one-time code, in a fragment,
which browsers never send to a server.
"""

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from uuid import UUID, uuid4

from application.opaque_tokens import digest_of, mint
from application.ports import Clock, TokenIssuer, UnitOfWorkFactory
from application.sessions import SessionGrant, grant, open_session
from application.settings import AccountPolicy
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.users import User, normalise_email, receives_mail

logger = logging.getLogger(__name__)

STATE_TTL = timedelta(minutes=10)
EXCHANGE_CODE_TTL = timedelta(seconds=60)
_STATE_KEY = "state:"
_CODE_KEY = "code:"
# 64 random bytes: an 86-character verifier, within RFC 7636's 43 to 128.
_VERIFIER_BYTES = 64
_STATE_BYTES = 32


class SignInStateStore(Protocol):
    """Short-lived values under random keys, each readable once."""

    async def put(self, key: str, value: str, ttl_seconds: int) -> None: ...

    async def take(self, key: str) -> str | None:
        """The value and its removal at once; None when absent, expired or taken before.

        Of two callers taking one key, at most one gets the value.
        """
        ...


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who the provider says signed in, read from a checked ID token."""

    subject: str
    email: str | None
    email_verified: bool


class IdentityProvider(Protocol):
    """An OpenID Connect provider (Google in production)."""

    @property
    def enabled(self) -> bool:
        """False when no client is configured: every sign-in route answers 404."""
        ...

    async def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        """The provider's authorize URL for this client, scope `openid email profile`,
        with the state, the nonce and the S256 code challenge."""
        ...

    async def identify(self, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        """Exchange the code at the token endpoint with the verifier and check the ID token:
        signature against the provider's keys, issuer, audience, expiry and nonce.

        Raises SignInFailed when anything of it fails.
        """
        ...


class SignInFailed(DomainError):
    """The provider's answer could not be trusted (bad code, token or nonce); 400."""

    code = "sign_in_failed"


def _linked_elsewhere() -> Conflict:
    logger.info("google sign-in refused: account linked to another google account")
    return Conflict(
        "An account already uses this email and is linked to another Google account: sign "
        "in with that one, or log in with the account's password.",
        code="account_linked_elsewhere",
    )


def _off() -> NotFound:
    return NotFound("Google sign-in is not configured.", code="google_sign_in_off")


def code_challenge(verifier: str) -> str:
    """RFC 7636's S256: unpadded URL-safe base64 of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class StartGoogleSignIn:
    """Begin a sign-in: keep state, nonce and PKCE verifier server-side, answer where to go."""

    def __init__(self, provider: IdentityProvider, states: SignInStateStore) -> None:
        self._provider = provider
        self._states = states

    async def execute(self) -> str:
        if not self._provider.enabled:
            raise _off()
        state = secrets.token_urlsafe(_STATE_BYTES)
        nonce = secrets.token_urlsafe(_STATE_BYTES)
        verifier = secrets.token_urlsafe(_VERIFIER_BYTES)
        url = await self._provider.authorization_url(state, nonce, code_challenge(verifier))
        kept = json.dumps({"nonce": nonce, "verifier": verifier})
        await self._states.put(_STATE_KEY + state, kept, int(STATE_TTL.total_seconds()))
        return url


@dataclass(frozen=True, slots=True)
class GoogleSignInLinks:
    """The front-end page the callback sends the browser to (absolute, no trailing slash)."""

    frontend_url: str


class FinishGoogleSignIn:
    """The provider's callback: check it, find or make the account, answer the front-end URL
    with a one-time code in its fragment.

    Rules: the state is taken once (unknown, expired or replayed: 400
    `sign_in_state_invalid`); a denied consent is 400 `sign_in_denied`; a bad code or
    ID token (nonce included) is 400 `sign_in_failed`; linking follows the module's rules.
    """

    def __init__(
        self,
        provider: IdentityProvider,
        states: SignInStateStore,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        links: GoogleSignInLinks,
    ) -> None:
        self._provider = provider
        self._states = states
        self._uow_factory = uow_factory
        self._clock = clock
        self._links = links

    async def execute(self, *, state: str | None, code: str | None, error: str | None) -> str:
        if not self._provider.enabled:
            raise _off()
        kept = await self._states.take(_STATE_KEY + state) if state else None
        if kept is None:
            raise DomainError(
                "The sign-in is unknown, expired or already finished; start again.",
                code="sign_in_state_invalid",
            )
        if error is not None:
            logger.info("google sign-in refused by the user or the provider")
            raise DomainError("The sign-in was not allowed; start again.", code="sign_in_denied")
        if not code:
            raise SignInFailed("The provider's answer has no code.")
        values = json.loads(kept)
        identity = await self._provider.identify(code, values["verifier"], values["nonce"])
        user = await self._account_of(identity)

        exchange = mint()
        # The epoch goes with the code: a password reset before the exchange voids it.
        await self._states.put(
            _CODE_KEY + exchange.digest,
            f"{user.id} {user.session_epoch}",
            int(EXCHANGE_CODE_TTL.total_seconds()),
        )
        logger.info("google sign-in finished user=%s", user.id)
        return f"{self._links.frontend_url}/#code={exchange.value}"

    async def _account_of(self, identity: ProviderIdentity) -> User:
        async with self._uow_factory() as uow:
            user = await uow.users.get_by_google_subject(identity.subject)
            if user is not None:
                return user
            if not identity.email:
                raise SignInFailed("The provider gave no email address.")
            try:
                email = normalise_email(identity.email)
            except InvalidInput as invalid:
                raise SignInFailed("The provider gave an unusable email address.") from invalid
            if not receives_mail(email):
                raise SignInFailed("The provider gave an unusable email address.")
            if not identity.email_verified:
                logger.info("google sign-in refused: email not verified by google")
                raise SignInFailed(
                    "Google has not verified this account's email address: verify it with "
                    "Google, or sign up with a password.",
                    code="google_email_unverified",
                )

            existing = await uow.users.get_by_email(email)
            if existing is None:
                user = User(
                    uuid4(),
                    email,
                    None,
                    verified=True,
                    created_at=self._clock.now(),
                    google_subject=identity.subject,
                )
                await uow.users.add(user)
                logger.info("account made by google sign-in user=%s", user.id)
            elif existing.google_subject is None and existing.verified:
                # Decided at the write: of two Google accounts linking at once, one wins.
                if not await uow.users.link_google(existing.id, identity.subject):
                    raise _linked_elsewhere()
                existing.google_subject = identity.subject
                user = existing
                logger.info("google account linked user=%s", user.id)
            elif existing.google_subject is not None:
                raise _linked_elsewhere()
            else:
                logger.info("google sign-in refused: account of that email not linkable")
                raise Conflict(
                    "An account already uses this email and cannot be linked: log in with its "
                    "password, verify its address, then sign in with Google again.",
                    code="account_exists_unverified",
                )
            await uow.commit()
        return user


class ExchangeSignInCode:
    """Turn the callback's one-time code into a session (same tokens as a password login).

    Rules: a code works once and for 60 seconds, and only while no password reset came
    after it (the reset ends every session, this one too); anything else is 400
    `sign_in_code_invalid`.
    """

    def __init__(
        self,
        provider: IdentityProvider,
        states: SignInStateStore,
        uow_factory: UnitOfWorkFactory,
        tokens: TokenIssuer,
        clock: Clock,
        policy: AccountPolicy,
    ) -> None:
        self._provider = provider
        self._states = states
        self._uow_factory = uow_factory
        self._tokens = tokens
        self._clock = clock
        self._policy = policy

    async def execute(self, code: str) -> SessionGrant:
        if not self._provider.enabled:
            raise _off()
        refused = DomainError(
            "The sign-in code is invalid, expired or used; sign in again.",
            code="sign_in_code_invalid",
        )
        digest = digest_of(code)
        kept = await self._states.take(_CODE_KEY + digest) if digest else None
        if kept is None:
            raise refused
        user_id, _, epoch = kept.partition(" ")
        if not epoch.isascii() or not epoch.isdigit():
            raise refused
        async with self._uow_factory() as uow:
            user = await uow.users.get(UUID(user_id))
            if user is None or not user.session_current(int(epoch)):
                raise refused
            session_id, refresh = await open_session(uow, user, self._clock.now(), self._policy)
            await uow.commit()
        logger.info("user logged in with google user=%s session=%s", user.id, session_id)
        return grant(self._tokens, user.id, session_id, refresh, self._policy)
