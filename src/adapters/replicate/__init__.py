"""The image provider's adapters: Replicate's HTTP API, reached through the `replicate` client.

`generator.ReplicateImageGenerator` and `upscaler.ReplicateUpscaler` implement the
ImageGenerator and Upscaler ports; `fetching.OutputFetcher` copies output files from
allow-listed hosts; `webhooks.WebhookVerifier` checks the provider's signed deliveries.
"""
