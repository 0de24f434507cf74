"""Redis adapters: rate limits, webhook de-duplication, the design status cache and worker
wake-ups, each with a wrapper that falls back in-process while Redis is away."""
