"""Revisions, one file each, written out by hand and never generated at run time."""
