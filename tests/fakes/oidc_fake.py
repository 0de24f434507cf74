"""A fake OpenID Connect provider on 127.0.0.1: discovery, authorize, token, keys, userinfo.

It runs a threaded stdlib HTTP server, so it answers whichever event loop (or thread) the
app under test runs on. Its RSA key is made at start and replaced by `rotate_key`. What it
answers is set through `behaviour` (deny consent, email not verified, a wrong or missing
nonce, another audience or authorized party, an expired token, a token signed otherwise
than with its published key, a discovery document naming another issuer or an insecure
endpoint, or padded past any sane size), and it checks the PKCE verifier against the S256
challenge it was given, counting each check in `pkce_checks` (True: matched). Every path
it serves is listed in `served`.

Run it by hand (loopback only):  python tests/fakes/oidc_fake.py --port 8702
then start the service with the variables it prints.
"""

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LOOPBACK = "127.0.0.1"
KEY_ID = "fake-oidc-key-1"
UNKNOWN_KEY_ID = "fake-oidc-key-never-published"

# How the ID token is signed: with the published key, with a key never published, with
# HS256 using the published public key (PEM) as the HMAC secret, or not at all.
Signing = Literal["published_key", "unknown_key", "hs256_with_public_key", "none"]


@dataclass
class Behaviour:
    """What the next sign-ins see; tests change it between flows."""

    subject: str = "google-subject-1"
    email: str = "ann@example.com"
    email_verified: bool = True
    deny_consent: bool = False
    wrong_nonce: bool = False
    audience: str | None = None
    expired: bool = False
    omit_nonce: bool = False
    authorized_party: str | None = None
    signing: Signing = "published_key"
    discovery_issuer: str | None = None
    discovery_token_endpoint: str | None = None
    discovery_padding_bytes: int = 0


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    claims: dict[str, Any] = field(default_factory=dict)


def s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


class FakeOidcProvider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.behaviour = Behaviour()
        self.pkce_checks: list[bool] = []
        self.authorize_queries: list[dict[str, str]] = []
        self.served: list[str] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = KEY_ID
        self._unknown_key: rsa.RSAPrivateKey | None = None
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the fake is not started"
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def start(self, port: int = 0) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((LOOPBACK, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def public_jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self._key_id, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def rotate_key(self) -> str:
        """Sign with a new key under a new key id from now on, publishing only it."""
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = f"fake-oidc-key-{secrets.token_hex(4)}"
        return self._key_id

    def served_count(self, path: str) -> int:
        with self._lock:
            return self.served.count(path)

    # The routes.

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        with self._lock:
            self.served.append(parts.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self._json(request, 200, self._discovery())
        elif parts.path == "/authorize":
            self._authorize(request, query)
        elif parts.path == "/jwks":
            self._json(request, 200, self.public_jwks())
        elif parts.path == "/userinfo":
            self._userinfo(request)
        else:
            self._json(request, 404, {"error": "not_found"})

    def _post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode("utf-8")
        form = {name: values[0] for name, values in parse_qs(body).items()}
        with self._lock:
            self.served.append(urlsplit(request.path).path)
        if urlsplit(request.path).path == "/token":
            self._token(request, form)
        else:
            self._json(request, 404, {"error": "not_found"})

    def _discovery(self) -> dict[str, Any]:
        base = self.base_url
        behaviour = self.behaviour
        document = {
            "issuer": behaviour.discovery_issuer or base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": behaviour.discovery_token_endpoint or f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }
        if behaviour.discovery_padding_bytes:
            document["padding"] = "x" * behaviour.discovery_padding_bytes
        return document

    def _authorize(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self.authorize_queries.append(query)
        redirect_uri = query.get("redirect_uri", "")
        well_formed = (
            query.get("client_id") == self.client_id
            and query.get("response_type") == "code"
            and query.get("code_challenge_method") == "S256"
            and "openid" in query.get("scope", "").split()
            and bool(query.get("code_challenge"))
            and bool(query.get("state"))
            and bool(redirect_uri)
        )
        if not well_formed:
            self._json(request, 400, {"error": "invalid_request"})
            return
        behaviour = self.behaviour
        if behaviour.deny_consent:
            answer = {"error": "access_denied", "state": query["state"]}
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._grants[code] = _Grant(
                    self.client_id, redirect_uri, query["code_challenge"], query.get("nonce", "")
                )
            answer = {"code": code, "state": query["state"]}
        request.send_response(302)
        request.send_header("Location", f"{redirect_uri}?{urlencode(answer)}")
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _token(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            self._json(request, 401, {"error": "invalid_client"})
            return
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
        ):
            self._json(request, 400, {"error": "invalid_grant"})
            return
        matched = s256(form.get("code_verifier", "")) == grant.challenge
        self.pkce_checks.append(matched)
        if not matched:
            self._json(request, 400, {"error": "invalid_grant"})
            return
        access_token = secrets.token_urlsafe(24)
        claims = self._claims(grant)
        with self._lock:
            self._grants[f"access:{access_token}"] = _Grant("", "", "", "", claims)
        self._json(
            request,
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "openid email profile",
                "id_token": self._signed(claims),
            },
        )

    def _claims(self, grant: _Grant) -> dict[str, Any]:
        behaviour = self.behaviour
        now = int(time.time())
        issued = now - 7200 if behaviour.expired else now
        claims: dict[str, Any] = {
            "iss": self.base_url,
            "aud": behaviour.audience or grant.client_id,
            "sub": behaviour.subject,
            "email": behaviour.email,
            "email_verified": behaviour.email_verified,
            "nonce": "not-the-nonce-it-was-given" if behaviour.wrong_nonce else grant.nonce,
            "iat": issued,
            "exp": issued + 3600,
        }
        if behaviour.omit_nonce:
            del claims["nonce"]
        if behaviour.authorized_party is not None:
            claims["azp"] = behaviour.authorized_party
        return claims

    def _signed(self, claims: dict[str, Any]) -> str:
        signing = self.behaviour.signing
        if signing == "published_key":
            return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._key_id})
        if signing == "unknown_key":
            if self._unknown_key is None:
                self._unknown_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return jwt.encode(
                claims, self._unknown_key, algorithm="RS256", headers={"kid": UNKNOWN_KEY_ID}
            )
        # Built by hand: PyJWT itself refuses a PEM key as an HMAC secret.
        alg = "HS256" if signing == "hs256_with_public_key" else "none"
        header = {"alg": alg, "typ": "JWT", "kid": self._key_id}
        signing_input = f"{_segment(header)}.{_segment(claims)}"
        if signing == "none":
            return f"{signing_input}."
        public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        mac = hmac.new(public_pem, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    def _userinfo(self, request: BaseHTTPRequestHandler) -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            grant = self._grants.get(f"access:{token}")
        if grant is None:
            self._json(request, 401, {"error": "invalid_token"})
            return
        claims = grant.claims
        self._json(
            request,
            200,
            {k: claims[k] for k in ("sub", "email", "email_verified")},
        )

    @staticmethod
    def _json(request: BaseHTTPRequestHandler, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake OpenID provider on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8702)
    parser.add_argument("--client-id", default="dev-client")
    parser.add_argument("--client-secret", default="dev-secret")
    parser.add_argument("--subject", default=Behaviour.subject)
    parser.add_argument("--email", default=Behaviour.email)
    parser.add_argument("--unverified", action="store_true", help="say the email is not verified")
    parser.add_argument("--deny", action="store_true", help="deny every consent")
    args = parser.parse_args()
    provider = FakeOidcProvider(args.client_id, args.client_secret)
    provider.behaviour = Behaviour(
        subject=args.subject,
        email=args.email,
        email_verified=not args.unverified,
        deny_consent=args.deny,
    )
    provider.start(args.port)
    print(f"fake OpenID provider on {provider.base_url}; start the service with:", flush=True)
    print(f"  GOOGLE_CLIENT_ID={args.client_id}", flush=True)
    print(f"  GOOGLE_CLIENT_SECRET={args.client_secret}", flush=True)
    print(f"  GOOGLE_DISCOVERY_URL={provider.discovery_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
