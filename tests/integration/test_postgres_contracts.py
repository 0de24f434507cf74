"""Every repository contract, the SQL-only ones and the migration round trip, on PostgreSQL."""

import pytest

from contracts_suite.designs import DesignRepositoryContract
from contracts_suite.jobs import JobRepositoryContract
from contracts_suite.migrations import MigrationContract
from contracts_suite.one_time_tokens import OneTimeTokenRepositoryContract
from contracts_suite.phones import PhoneRepositoryContract
from contracts_suite.postgres import skip_module_without_postgres
from contracts_suite.sessions import RefreshTokenRepositoryContract, SessionLivenessContract
from contracts_suite.sql_rows import SqlRowsContract
from contracts_suite.unit_of_work import UnitOfWorkContract
from contracts_suite.uploads import UploadRepositoryContract
from contracts_suite.users import ConcurrentGoogleLinkContract, UserRepositoryContract

pytestmark = pytest.mark.integration

skip_module_without_postgres()


class TestPostgresPhoneRepository(PhoneRepositoryContract):
    pass


class TestPostgresDesignRepository(DesignRepositoryContract):
    pass


class TestPostgresUploadRepository(UploadRepositoryContract):
    pass


class TestPostgresUserRepository(UserRepositoryContract):
    pass


class TestPostgresConcurrentGoogleLink(ConcurrentGoogleLinkContract):
    pass


class TestPostgresJobRepository(JobRepositoryContract):
    pass


class TestPostgresRefreshTokenRepository(RefreshTokenRepositoryContract):
    pass


class TestPostgresSessionLiveness(SessionLivenessContract):
    pass


class TestPostgresOneTimeTokenRepository(OneTimeTokenRepositoryContract):
    pass


class TestPostgresUnitOfWork(UnitOfWorkContract):
    pass


class TestPostgresRows(SqlRowsContract):
    pass


class TestPostgresMigrations(MigrationContract):
    pass
