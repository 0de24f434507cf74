"""Google sign-in: an OpenID Connect client over httpx, ID tokens checked with PyJWT."""
