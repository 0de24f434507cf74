"""Google sign-in: an OpenID Connect client on Authlib, its answers read over httpx."""
