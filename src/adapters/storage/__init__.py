"""Object storage on the local disk, with signed, expiring URLs for serving files."""
