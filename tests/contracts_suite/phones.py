"""What every PhoneRepository must do."""

from dataclasses import replace

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import make_phone


class PhoneRepositoryContract:
    async def test_stored_phone_comes_back_with_its_cutouts(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        phone = make_phone()
        async with uow_factory() as uow:
            await uow.phones.upsert_many([phone])
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.phones.get(phone.slug) == phone
            assert await uow.phones.get("no-such-phone") is None

    async def test_upsert_twice_leaves_one_phone_per_slug(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        phones = [make_phone("acme-one"), make_phone("acme-two", name="Two")]
        for _ in range(2):
            async with uow_factory() as uow:
                await uow.phones.upsert_many(phones)
                await uow.commit()

        async with uow_factory() as uow:
            listed = await uow.phones.list()

        assert sorted(p.slug for p in listed) == ["acme-one", "acme-two"]

    async def test_upsert_updates_a_phone_by_slug(self, uow_factory: UnitOfWorkFactory) -> None:
        phone = make_phone()
        corrected = replace(phone, corner_radius_mm=11.0, cutouts=phone.cutouts[:1])
        async with uow_factory() as uow:
            await uow.phones.upsert_many([phone])
            await uow.commit()

        async with uow_factory() as uow:
            await uow.phones.upsert_many([corrected])
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.phones.get(phone.slug) == corrected

    async def test_list_orders_by_brand_then_newest_year_then_name(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        phones = [
            make_phone("zeta-a", brand="Zeta", name="A", year=2025),
            make_phone("acme-old", brand="Acme", name="Old", year=2020),
            make_phone("acme-b", brand="Acme", name="B new", year=2024),
            make_phone("acme-a", brand="Acme", name="A new", year=2024),
        ]
        async with uow_factory() as uow:
            await uow.phones.upsert_many(phones)
            await uow.commit()

        async with uow_factory() as uow:
            listed = await uow.phones.list()

        assert [p.slug for p in listed] == ["acme-a", "acme-b", "acme-old", "zeta-a"]

    async def test_list_filters_by_brand_slug_or_name_ignoring_case(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            await uow.phones.upsert_many(
                [
                    make_phone("one-plus-12", brand="One Plus", name="12"),
                    make_phone("acme-one", brand="Acme", name="One"),
                ]
            )
            await uow.commit()

        async with uow_factory() as uow:
            by_slug = await uow.phones.list(brand="one-plus")
            by_name = await uow.phones.list(brand="ONE PLUS")
            unknown = await uow.phones.list(brand="nokia")

        assert [p.slug for p in by_slug] == ["one-plus-12"]
        assert [p.slug for p in by_name] == ["one-plus-12"]
        assert unknown == []

    async def test_list_filters_by_substring_of_name_or_slug(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            await uow.phones.upsert_many(
                [
                    make_phone("acme-one-pro", name="One Pro"),
                    make_phone("acme-one", name="One"),
                    make_phone("acme-100", name="Hundred 100%"),
                ]
            )
            await uow.commit()

        async with uow_factory() as uow:
            pro = await uow.phones.list(query="PRO")
            by_slug = await uow.phones.list(query="acme-one")
            percent = await uow.phones.list(query="0%")
            wildcard = await uow.phones.list(query="_")

        assert [p.slug for p in pro] == ["acme-one-pro"]
        assert sorted(p.slug for p in by_slug) == ["acme-one", "acme-one-pro"]
        assert [p.slug for p in percent] == ["acme-100"]
        assert wildcard == []
