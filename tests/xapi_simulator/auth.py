# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""OAuth2 client-credentials tokens as 3CX's ``/connect/token`` issues them, and bearer checks."""

import base64
import collections
import hmac
import json
import math
import secrets
import threading
import time

UNITS = {"seconds": 1, "minutes": 60}


class TokenError(Exception):
    """A refused token request: HTTP status and an OAuth2 error body."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Issues tokens for known clients and tells which client a bearer token belongs to.

    ``expires_in_unit`` is the unit of the ``expires_in`` the reply claims (3CX up to 20.0.8 sent
    minutes); ``lifetime`` is how many seconds a token really lives.  With ``one_per_client`` a new
    token supersedes the client's previous one, as on a real PBX.
    """

    def __init__(self, clients, lifetime=3600, expires_in_unit="seconds", one_per_client=True):
        if expires_in_unit not in UNITS:
            raise ValueError(f"expires_in_unit must be one of {', '.join(UNITS)}")
        if lifetime <= 0:
            raise ValueError("token lifetime must be positive")
        self.clients = dict(clients)
        self.lifetime = lifetime
        self.expires_in = math.ceil(lifetime / UNITS[expires_in_unit])
        self.one_per_client = one_per_client
        self.issued = []
        self._lock = threading.Lock()
        self._live = {}  # token -> (client_id, monotonic expiry)

    def grant(self, form):
        """Answer a token request's form fields with the token reply; raises TokenError."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise TokenError(400, "invalid_request", "The mandatory 'grant_type' parameter is missing.")
        if grant_type != "client_credentials":
            raise TokenError(400, "unsupported_grant_type", "The specified 'grant_type' is not supported.")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        for name, value in (("client_id", client_id), ("client_secret", secret)):
            if not value:
                raise TokenError(400, "invalid_request", f"The mandatory '{name}' parameter is missing.")
        expected = self.clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
            raise TokenError(401, "unauthorized", "The specified client credentials are invalid.")
        return {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": self._issue(client_id), "refresh_token": None}

    def _issue(self, client_id):
        now = time.time()
        header = {"alg": "RS256", "kid": "3cx-xapi", "typ": "at+jwt"}
        claims = {"iss": "3CX", "sub": client_id, "client_id": client_id, "iat": int(now),
                  "exp": int(now + self.lifetime), "jti": secrets.token_hex(16)}
        token = ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(claims).encode()), _b64url(secrets.token_bytes(64))])
        with self._lock:
            if self.one_per_client:
                self._live = {t: owner for t, owner in self._live.items() if owner[0] != client_id}
            self._live[token] = (client_id, time.monotonic() + self.lifetime)
            self.issued.append(token)
        return token

    def client_of(self, authorization):
        """The client id of a live ``Bearer`` token in an Authorization header value, else None."""
        parts = (authorization or "").split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            return None
        with self._lock:
            client_id, expiry = self._live.get(parts[1], (None, 0))
            if client_id is not None and expiry <= time.monotonic():
                del self._live[parts[1]]
                return None
            return client_id

    def revoke_all(self):
        """Make every token issued so far invalid."""
        with self._lock:
            self._live.clear()


class TokenThrottle:
    """Refuses token requests that come too often, as 3CX's identity server does (switches ``token_issue_rate`` and
    ``token_cooldown``).

    With a rate of N per W seconds, a token request that finds N others answered in the last W seconds is refused,
    and so is every token request for the cool-down after it; then counting starts afresh.  Requests refused are
    not counted, nor are those that came while the switch was off.  What a real PBX counts (every request, or
    only the tokens it issued) is unknown: here every request answered counts, whatever its answer.
    """

    def __init__(self, switches):
        self.switches = switches
        self._lock = threading.Lock()
        self._answered = collections.deque()  # monotonic times of the requests answered in the current window
        self._refusing_until = 0.0

    def admit(self):
        """Whether the token request arriving now is answered; False: it is refused."""
        switches = self.switches.values
        rate = switches["token_issue_rate"]
        if rate is None:
            return True
        now = time.monotonic()
        with self._lock:
            if now < self._refusing_until:
                return False
            while self._answered and self._answered[0] <= now - rate.seconds:
                self._answered.popleft()
            if len(self._answered) >= rate.count:
                self._answered.clear()
                self._refusing_until = now + switches["token_cooldown"]
                return False
            self._answered.append(now)
            return True
