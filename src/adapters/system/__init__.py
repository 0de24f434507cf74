"""Adapters over the process itself: the clock and in-process signalling."""
