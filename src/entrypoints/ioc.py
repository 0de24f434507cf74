"""dishka providers, grouped by layer: adapters at APP scope, use cases per request."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
from dishka import Provider, Scope, from_context, provide, provide_all
from litestar import Request

from adapters.google.oidc import DisabledIdentityProvider, OidcIdentityProvider
from adapters.imaging.processor import PillowImageProcessor
from adapters.memory.sign_in_state import InMemorySignInStateStore
from adapters.persistence.database import Database
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.sign_in_state import RedisSignInStateStore
from adapters.replicate.webhooks import WebhookVerifier
from adapters.security.passwords import ArgonPasswordHasher
from adapters.security.tokens import JwtTokenIssuer
from adapters.storage.signing import SignedFileUrls, UrlSigner
from adapters.system.background import AsyncioBackgroundTasks
from adapters.system.clock import SystemClock
from application.accounts import Authenticate, EnsureLocalOwner, LogIn, ShowAccount, SignUp
from application.catalog import (
    ListBrands,
    ListPhones,
    LoadCatalog,
    PhoneDirectory,
    RenderMask,
    ShowPhone,
)
from application.designs import CreateDesign, ListDesigns, ShowDesign, UploadPhoto
from application.downloads import RequestDownload
from application.generation import (
    FinishPendingDesigns,
    GenerationService,
    HandlePredictionWebhook,
)
from application.google_sign_in import (
    ExchangeSignInCode,
    FinishGoogleSignIn,
    GoogleSignInLinks,
    IdentityProvider,
    SignInStateStore,
    StartGoogleSignIn,
)
from application.limits import DesignQuota, LimitAuthRequests, LimitsPolicy, StartTrial
from application.password_reset import (
    RequestPasswordReset,
    ResetPassword,
    SendPasswordResetMail,
)
from application.ports import (
    BackgroundTasks,
    Clock,
    DesignStatusCache,
    ImageGenerator,
    ImageProcessor,
    Mailer,
    ObjectStorage,
    PasswordHasher,
    PredictionNotices,
    RateLimiter,
    TokenIssuer,
    UnitOfWorkFactory,
    Upscaler,
    WebhookLedger,
    WorkerWakeup,
)
from application.readiness import CheckReadiness
from application.sessions import EndSession, RefreshSession
from application.settings import AccountLinks, AccountPolicy, DesignPolicy
from application.upscaling import RunNextUpscaleJob
from application.verification import SendVerificationMail, VerifyEmail
from entrypoints.http.auth import CurrentUser, current_user
from entrypoints.http.catalog import CatalogAnswers
from entrypoints.http.client_address import ClientAddresses
from entrypoints.http.limits import trial_user
from entrypoints.settings import Settings
from entrypoints.wiring import (
    Coordination,
    Providers,
    coordination,
    image_providers,
    mailer,
    object_storage,
)

PROVIDER_MAX_BYTES = 64 * 1024 * 1024
# A mail in flight at shutdown gets about one SMTP timeout to finish.
BACKGROUND_GRACE_SECONDS = 10.0


class AdapterProvider(Provider):
    """The production choice of every port, from the settings; one instance per process."""

    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)

    @provide
    async def database(self, settings: Settings) -> AsyncIterator[Database]:
        database = Database(settings.database.url)
        yield database
        await database.dispose()

    @provide
    def uow_factory(self, database: Database) -> UnitOfWorkFactory:
        return SqlAlchemyUnitOfWorkFactory(database.session_maker)

    @provide
    def clock(self) -> Clock:
        return SystemClock()

    @provide
    async def coordination(self, settings: Settings, clock: Clock) -> AsyncIterator[Coordination]:
        async with coordination(settings, clock) as parts:
            yield parts

    @provide
    def wakeup(self, parts: Coordination) -> WorkerWakeup:
        return parts.wakeup

    @provide
    def rate_limiter(self, parts: Coordination) -> RateLimiter:
        return parts.rate_limiter

    @provide
    def webhook_ledger(self, parts: Coordination) -> WebhookLedger:
        return parts.webhook_ledger

    @provide
    def status_cache(self, parts: Coordination) -> DesignStatusCache:
        return parts.status_cache

    @provide
    def policy(self, settings: Settings) -> DesignPolicy:
        return DesignPolicy(
            preview_max_width=settings.images.preview_max_width,
            max_upload_bytes=settings.images.max_upload_bytes,
            retention=timedelta(hours=settings.retention_hours),
            url_ttl_seconds=settings.url_ttl_seconds,
            lease_seconds=settings.worker.lease_seconds,
        )

    @provide
    def images(self, settings: Settings) -> Iterator[ImageProcessor]:
        processor = PillowImageProcessor(
            # Provider output (an upscaled print file is many megabytes) has its own,
            # larger cap; uploads are held to theirs by the upload use case.
            max_bytes=max(settings.images.max_upload_bytes, PROVIDER_MAX_BYTES),
            max_pixels=settings.images.max_pixels,
            concurrency=settings.images.concurrency,
        )
        yield processor
        processor.close()

    @provide
    def notices(self, parts: Coordination) -> PredictionNotices:
        return parts.notices

    @provide
    async def providers(
        self, settings: Settings, notices: PredictionNotices
    ) -> AsyncIterator[Providers]:
        async with image_providers(settings, notices) as chosen:
            yield chosen

    @provide
    def generator(self, chosen: Providers) -> ImageGenerator:
        return chosen.generator

    @provide
    def upscaler(self, chosen: Providers) -> Upscaler:
        return chosen.upscaler

    @provide
    def webhook_verifier(self, settings: Settings) -> WebhookVerifier | None:
        secret = settings.replicate.webhook_secret if settings.replicate else None
        return WebhookVerifier(secret) if secret else None

    @provide
    def signed_urls(self, settings: Settings, clock: Clock) -> SignedFileUrls:
        signer = UrlSigner.from_secret_key(settings.security.secret_key)
        return SignedFileUrls(settings.http.public_base_url, signer, clock)

    @provide
    def storage(self, settings: Settings, clock: Clock) -> Iterator[ObjectStorage]:
        with object_storage(settings, clock) as chosen:
            yield chosen

    @provide
    def hasher(self) -> PasswordHasher:
        return ArgonPasswordHasher()

    @provide
    def tokens(self, settings: Settings, clock: Clock) -> TokenIssuer:
        security = settings.security
        return JwtTokenIssuer(
            secret=security.secret_key,
            issuer=security.issuer,
            audience=security.audience,
            access_ttl_seconds=security.access_token_minutes * 60,
            clock=clock,
            algorithm=security.jwt_algorithm,
        )

    @provide
    def mailer(self, settings: Settings, clock: Clock) -> Mailer:
        return mailer(settings, clock)

    @provide
    async def background(
        self, uow_factory: UnitOfWorkFactory, mail: Mailer
    ) -> AsyncIterator[BackgroundTasks]:
        # Made after what the work uses, so dishka closes it first, while they still work.
        tasks = AsyncioBackgroundTasks()
        yield tasks
        await tasks.close(BACKGROUND_GRACE_SECONDS)

    @provide
    def account_policy(self, settings: Settings) -> AccountPolicy:
        return AccountPolicy(refresh_ttl=timedelta(days=settings.accounts.refresh_token_days))

    @provide
    def account_links(self, settings: Settings) -> AccountLinks:
        return AccountLinks(settings.http.public_base_url, settings.accounts.frontend_url)

    directory = provide(PhoneDirectory)
    # The catalog's use cases hold nothing per request and serve the hottest route.
    catalog = provide_all(ListBrands, ListPhones, ShowPhone, RenderMask, CatalogAnswers)


class UseCaseProvider(Provider):
    """One instance of each use case per request or per worker step."""

    scope = Scope.REQUEST

    use_cases = provide_all(
        CheckReadiness,
        GenerationService,
        FinishPendingDesigns,
        HandlePredictionWebhook,
        LoadCatalog,
        UploadPhoto,
        CreateDesign,
        ShowDesign,
        ListDesigns,
        RequestDownload,
        RunNextUpscaleJob,
        SignUp,
        LogIn,
        ShowAccount,
        Authenticate,
        EnsureLocalOwner,
        RefreshSession,
        EndSession,
        SendVerificationMail,
        VerifyEmail,
        SendPasswordResetMail,
        RequestPasswordReset,
        ResetPassword,
    )


class LimitsProvider(Provider):
    """The limits: per-address counters, the daily quota and the anonymous trial.

    One instance each per process: the quota's per-owner locks must be shared by
    every request of the process.
    """

    scope = Scope.APP

    @provide
    def limits_policy(self, settings: Settings) -> LimitsPolicy:
        limits = settings.limits
        return LimitsPolicy(
            daily_designs=limits.daily_designs,
            anonymous_trial=limits.anonymous_trial,
            trial_window_seconds=limits.anonymous_trial_days * 24 * 3600,
            auth_requests=limits.auth_requests,
            auth_window_seconds=limits.auth_window_seconds,
        )

    @provide
    def client_addresses(self, settings: Settings) -> ClientAddresses:
        return ClientAddresses(settings.limits.trusted_proxies)

    @provide
    def design_quota(self, policy: LimitsPolicy) -> DesignQuota:
        return DesignQuota(policy)

    limit_use_cases = provide_all(LimitAuthRequests, StartTrial)


GOOGLE_HTTP_TIMEOUT_SECONDS = 10.0
SIGN_IN_STATE_PREFIX = "casecraft:sign-in"


class GoogleSignInProvider(Provider):
    """Google sign-in: the OpenID client (off without GOOGLE_CLIENT_ID), the sign-in state
    store (Redis when REDIS_SERVER is set, else this process) and its use cases."""

    scope = Scope.APP

    @provide
    async def identity_provider(self, settings: Settings) -> AsyncIterator[IdentityProvider]:
        google = settings.google
        if google is None:
            yield DisabledIdentityProvider()
            return
        timeout = httpx.Timeout(GOOGLE_HTTP_TIMEOUT_SECONDS)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
            yield OidcIdentityProvider(
                client_id=google.client_id,
                client_secret=google.client_secret,
                redirect_uri=google.redirect_uri,
                discovery_url=google.discovery_url,
                http=http,
            )

    @provide
    async def sign_in_states(
        self, settings: Settings, clock: Clock
    ) -> AsyncIterator[SignInStateStore]:
        if settings.redis is None:
            yield InMemorySignInStateStore(clock)
            return
        redis = connect_redis(
            settings.redis.host,
            settings.redis.port,
            db=settings.redis.db,
            password=settings.redis.password,
        )
        try:
            yield RedisSignInStateStore(redis, SIGN_IN_STATE_PREFIX)
        finally:
            await close_redis(redis)

    @provide
    def sign_in_links(self, settings: Settings) -> GoogleSignInLinks:
        return GoogleSignInLinks(settings.accounts.frontend_url)

    google_use_cases = provide_all(
        StartGoogleSignIn, FinishGoogleSignIn, ExchangeSignInCode, scope=Scope.REQUEST
    )


class HttpProvider(Provider):
    """What only an HTTP request has: the caller."""

    scope = Scope.REQUEST
    request = from_context(provides=Request, scope=Scope.REQUEST)

    @provide
    # dishka keys the request by the bare class, as its Litestar integration puts it in context.
    async def caller(
        self,
        request: Request,  # type: ignore[type-arg]
        authenticate: Authenticate,
    ) -> CurrentUser:
        trial = trial_user(request)
        if trial is not None:
            return CurrentUser(trial)
        return await current_user(request, authenticate)
