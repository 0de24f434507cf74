"""What only the SQL adapters must do: keep row ids, and match the models to the migrations."""

from sqlalchemy import MetaData, delete, select
from sqlalchemy.engine import Connection

from adapters.persistence.database import Database
from adapters.persistence.models import PhoneRow, UserRow, UUIDBase
from contracts_suite.builders import make_phone, stored_user
from contracts_suite.sessions import make_refresh_token, session_live, stored_tokens


def schema_differences(connection: Connection, metadata: MetaData) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, metadata))


class SqlRowsContract:
    async def test_upsert_keeps_each_phones_row_id(self, sql_database: Database) -> None:
        factory = sql_database.unit_of_work_factory()
        statement = select(PhoneRow.slug, PhoneRow.id).order_by(PhoneRow.slug)
        phones = [make_phone("acme-one"), make_phone("acme-two", name="Two")]

        ids = []
        for _ in range(2):
            async with factory() as uow:
                await uow.phones.upsert_many(phones)
                await uow.commit()
            async with sql_database.session_maker() as session:
                ids.append((await session.execute(statement)).all())

        assert ids[0] == ids[1]
        assert len(ids[0]) == 2

    async def test_migrated_schema_matches_the_models(self, sql_database: Database) -> None:
        async with sql_database.engine.connect() as connection:
            differences = await connection.run_sync(schema_differences, UUIDBase.metadata)

        assert differences == []

    async def test_a_session_of_a_deleted_user_is_not_live(self, sql_database: Database) -> None:
        factory = sql_database.unit_of_work_factory()
        user = await stored_user(factory)
        token = make_refresh_token(user.id)
        await stored_tokens(factory, token)

        async with sql_database.session_maker() as session:
            await session.execute(delete(UserRow).where(UserRow.id == user.id))
            await session.commit()

        assert not await session_live(factory, token.family_id, user.id)
