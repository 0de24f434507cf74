"""The catalog shipped with the package, read once per process."""

import functools
import json
import logging
from importlib import resources

from adapters.catalog.rows import parse_catalog
from domain.phones import PhoneModel

logger = logging.getLogger(__name__)

CATALOG_PACKAGE = "adapters.catalog"
CATALOG_RESOURCE = "phones.json"


def load_packaged_catalog() -> list[PhoneModel]:
    """Every phone of the packaged catalog, in file order.

    The file is read and checked on the first call only; a bad row raises a
    ValueError naming the phone's slug and the field, so a broken catalog stops
    the service at start rather than serving a wrong mask. Each call returns a
    new list of the same immutable phones.
    """
    return list(_read_packaged_catalog())


@functools.cache
def _read_packaged_catalog() -> tuple[PhoneModel, ...]:
    resource = resources.files(CATALOG_PACKAGE).joinpath(CATALOG_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    phones = parse_catalog(json.loads(text))
    logger.debug("packaged catalog loaded phones=%d", len(phones))
    return phones
