"""A fake OpenID Connect provider on 127.0.0.1: discovery, authorize, token, keys, userinfo.

It runs a threaded stdlib HTTP server, so it answers whichever event loop (or thread) the
app under test runs on. Its RSA key is made at start. What it answers is set through
`behaviour` (deny consent, email not verified, a wrong nonce, another audience, an expired
token), and it checks the PKCE verifier against the S256 challenge it was given, counting
each check in `pkce_checks` (True: matched).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LOOPBACK = "127.0.0.1"
KEY_ID = "fake-oidc-key-1"


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


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    claims: dict[str, Any] = field(default_factory=dict)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeOidcProvider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.behaviour = Behaviour()
        self.pkce_checks: list[bool] = []
        self.authorize_queries: list[dict[str, str]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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

    def start(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
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
        jwk.update({"kid": KEY_ID, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    # The routes.

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
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
        if urlsplit(request.path).path == "/token":
            self._token(request, form)
        else:
            self._json(request, 404, {"error": "not_found"})

    def _discovery(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

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
                "id_token": jwt.encode(
                    claims, self._key, algorithm="RS256", headers={"kid": KEY_ID}
                ),
            },
        )

    def _claims(self, grant: _Grant) -> dict[str, Any]:
        behaviour = self.behaviour
        now = int(time.time())
        issued = now - 7200 if behaviour.expired else now
        return {
            "iss": self.base_url,
            "aud": behaviour.audience or grant.client_id,
            "sub": behaviour.subject,
            "email": behaviour.email,
            "email_verified": behaviour.email_verified,
            "nonce": "not-the-nonce-it-was-given" if behaviour.wrong_nonce else grant.nonce,
            "iat": issued,
            "exp": issued + 3600,
        }

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
