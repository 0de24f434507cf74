"""Composition root and driving adapters."""
