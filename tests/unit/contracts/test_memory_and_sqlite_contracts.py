"""Every repository contract on the in-memory adapters and on SQLite; SQL-only contracts
and the migration round trip on SQLite."""

import sys
from pathlib import Path

import pytest

# The suites are shared with tests/integration; tests/ is their import root.
TESTS = Path(__file__).resolve().parents[2]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from adapters.persistence.database import Database  # noqa: E402
from application.ports import UnitOfWorkFactory  # noqa: E402
from contracts_suite.designs import DesignRepositoryContract  # noqa: E402
from contracts_suite.jobs import JobRepositoryContract  # noqa: E402
from contracts_suite.local_fixtures import (  # noqa: E402, F401
    empty_database_url,
    sql_database,
    sqlite_template,
    uow_factory,
)
from contracts_suite.migrations import MigrationContract  # noqa: E402
from contracts_suite.one_time_tokens import OneTimeTokenRepositoryContract  # noqa: E402
from contracts_suite.phones import PhoneRepositoryContract  # noqa: E402
from contracts_suite.sessions import (  # noqa: E402
    RefreshTokenRepositoryContract,
    SessionLivenessContract,
)
from contracts_suite.sql_rows import SqlRowsContract  # noqa: E402
from contracts_suite.unit_of_work import UnitOfWorkContract  # noqa: E402
from contracts_suite.uploads import UploadRepositoryContract  # noqa: E402
from contracts_suite.users import (  # noqa: E402
    ConcurrentGoogleLinkContract,
    UserRepositoryContract,
)


class TestPhoneRepository(PhoneRepositoryContract):
    pass


class TestDesignRepository(DesignRepositoryContract):
    pass


class TestUploadRepository(UploadRepositoryContract):
    pass


class TestUserRepository(UserRepositoryContract):
    pass


class TestJobRepository(JobRepositoryContract):
    pass


class TestSqliteConcurrentGoogleLink(ConcurrentGoogleLinkContract):
    @pytest.fixture
    def uow_factory(self, sql_database: Database) -> UnitOfWorkFactory:  # noqa: F811
        return sql_database.unit_of_work_factory()


class TestRefreshTokenRepository(RefreshTokenRepositoryContract):
    pass


class TestSessionLiveness(SessionLivenessContract):
    pass


class TestOneTimeTokenRepository(OneTimeTokenRepositoryContract):
    pass


class TestUnitOfWork(UnitOfWorkContract):
    pass


class TestSqliteRows(SqlRowsContract):
    pass


class TestSqliteMigrations(MigrationContract):
    pass
