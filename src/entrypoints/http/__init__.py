"""The HTTP API: Litestar routes over the use cases, wired by dishka."""
