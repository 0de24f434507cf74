"""The phone every benchmark uses, from the packaged catalog."""

from adapters.catalog.packaged import load_packaged_catalog
from domain.phones import PhoneModel

BENCH_PHONE = "apple-iphone-15-pro"


def bench_phone(slug: str = BENCH_PHONE) -> PhoneModel:
    for phone in load_packaged_catalog():
        if phone.slug == slug:
            return phone
    raise LookupError(f"the packaged catalog has no phone {slug!r}")
