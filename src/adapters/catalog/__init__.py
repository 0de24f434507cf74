"""The phone catalog shipped inside the package: figures in JSON, read and checked at start."""

from adapters.catalog.packaged import load_packaged_catalog

__all__ = ["load_packaged_catalog"]
