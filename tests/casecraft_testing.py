"""What tests share: settings, the in-memory adapters, and signing up a user."""

from pathlib import Path
from typing import Any

from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from adapters.memory.mail import InMemoryMailer
from adapters.memory.repositories import InMemoryStore
from adapters.memory.storage import InMemoryObjectStorage
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.security.passwords import ArgonPasswordHasher
from adapters.storage.signing import UrlSigner
from application.ports import Clock, Mailer, ObjectStorage, PasswordHasher, UnitOfWorkFactory
from entrypoints.settings import Settings, load_settings

TEST_SECRET = "Qm7rT2vX9pL4sK8wN3yB6cF1hJ5dG0aZ-e_uVtYqW4nR"
PASSWORD = "correct horse battery"


def make_settings(tmp_path: Path, **env: str) -> Settings:
    values = {
        "CASECRAFT_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": TEST_SECRET,
        "CASECRAFT_AUTO_MIGRATE": "false",
        "CASECRAFT_EMBEDDED_WORKER": "false",
        "CASECRAFT_PUBLIC_BASE_URL": "http://testserver.local",
    }
    values.update(env)
    return load_settings(values)


class InMemoryAdapters(Provider):
    """Swaps the database, the file store and the password cost for in-process stand-ins."""

    scope = Scope.APP

    @provide
    def store(self) -> InMemoryStore:
        return InMemoryStore()

    @provide
    def uow_factory(self, store: InMemoryStore) -> UnitOfWorkFactory:
        return InMemoryUnitOfWorkFactory(store)

    @provide
    def storage(self, settings: Settings, clock: Clock) -> ObjectStorage:
        signer = UrlSigner.from_secret_key(settings.security.secret_key)
        return InMemoryObjectStorage(settings.http.public_base_url, signer, clock)

    @provide
    def hasher(self) -> PasswordHasher:
        return ArgonPasswordHasher(time_cost=1, memory_cost=8)

    @provide
    def in_memory_mailer(self) -> InMemoryMailer:
        return InMemoryMailer()

    @provide
    def mailer(self, sent: InMemoryMailer) -> Mailer:
        return sent


async def sign_up_and_log_in(client: AsyncTestClient[Any], email: str) -> dict[str, str]:
    signed_up = await client.post("/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert signed_up.status_code == 202, signed_up.text
    logged_in = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert logged_in.status_code == 200, logged_in.text
    return {"Authorization": f"Bearer {logged_in.json()['accessToken']}"}
