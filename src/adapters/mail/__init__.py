"""Mail: an SMTP client for production, an outbox folder for the embedded default."""
