"""Persistence on PostgreSQL (asyncpg) or SQLite (aiosqlite), through advanced-alchemy."""
