# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The connection options every threecx.pbx module takes."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the 3CX PBX, with scheme and port, without C(/xapi/v1), for example
        V(https://pbx.example.com:5001) (self-hosted) or V(https://example.3cx.eu) (hosted by 3CX).
      - If not set, the value of the E(THREECX_URL) environment variable is used. One of the two is required.
    type: str
  client_id:
    description:
      - Client ID of the API client created in the 3CX admin console under B(Integrations > API)
        (the client needs B(XAPI Access Enabled)).
      - If not set, the value of the E(THREECX_CLIENT_ID) environment variable is used. One of the two is required.
    type: str
  client_secret:
    description:
      - The API key shown once when the API client was created. It is used only to request an access token
        at C({url}/connect/token) and never appears in the task's output.
      - If not set, the value of the E(THREECX_CLIENT_SECRET) environment variable is used. One of the two is required.
      - Keep it in Ansible Vault or in an AWX credential, not in plain text.
    type: str
    aliases: [api_key]
  validate_certs:
    description:
      - Whether to verify the PBX's TLS certificate. Set to V(false) only for a test PBX with a self-signed
        certificate; prefer O(ca_path).
      - If not set, the value of the E(THREECX_VALIDATE_CERTS) environment variable is used, else V(true).
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificate(s) that signed the PBX's certificate, for a PBX whose
        certificate is not trusted by the system.
    type: path
  timeout:
    description:
      - Seconds to wait for the PBX to answer each HTTP request.
    type: float
    default: 30
  retries:
    description:
      - How many times a failed request is tried again. GET and DELETE requests are repeated after HTTP 429, 502,
        503 and 504 answers, connection errors and timeouts; other requests (actions, the token request) only when
        they cannot have been processed (no connection, or HTTP 429 or 503). Credentials the PBX refuses are never
        tried again, since 3CX may block an IP address after repeated failed logins.
      - Each result reports the number of retries in RV(retry_count).
    type: int
    default: 3
  retry_max_delay:
    description:
      - The longest wait, in seconds, before a retry. The PBX's C(Retry-After) is honoured up to this; otherwise the
        wait grows exponentially (0.5, 1, 2, ... seconds, with random jitter) up to this.
    type: float
    default: 30
  allow_http:
    description:
      - Whether a plain V(http://) O(url) is accepted for a PBX that is not on this host. The client secret and access
        tokens would cross the network unencrypted.
    type: bool
    default: false
  token_cache:
    description:
      - Whether module runs share the PBX access token through a file in O(token_cache_dir). 3CX keeps one valid token
        per API client, so runs at the same time with the same client (C(forks) over hosts that share a PBX, or two
        playbooks) would otherwise log each other out. One run fetches the token, the others wait for it and use it.
      - The file holds the token, its expiry and a salted hash of the client secret (a run with another secret does
        not use the token), never the secret. It is created readable by its owner only (0600), in a directory created
        0700. The trade-off is a bearer token, valid an hour at most, stored on disk for its lifetime.
    type: bool
    default: true
  token_cache_dir:
    description:
      - The directory of the token cache.
      - If not set, the value of the E(THREECX_TOKEN_CACHE_DIR) environment variable is used, else
        V(~/.ansible/tmp/threecx_pbx_tokens).
    type: path
    default: ~/.ansible/tmp/threecx_pbx_tokens
notes:
  - "The modules talk to the PBX from the machine they run on: run them with C(delegate_to: localhost), or on a
    C(connection: local) host, that can reach the PBX."
  - A module run uses one access token (shared with other runs through O(token_cache)) and one kept-alive HTTP
    connection for all its calls. If the PBX refuses the token (3CX keeps one valid token per client ID, and another
    job may have superseded it), the module requests a new one once and repeats the call.
requirements:
  - requests
"""
