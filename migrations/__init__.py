"""Alembic migrations of CaseCraft's database, for SQLite and PostgreSQL alike.

A package so that an installed wheel carries them; run them with
`adapters.persistence.migrations.upgrade_database(url)`.
"""

from pathlib import Path

SCRIPT_LOCATION = Path(__file__).resolve().parent
