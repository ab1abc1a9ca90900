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
notes:
  - "The modules talk to the PBX from the machine they run on: run them with C(delegate_to: localhost), or on a
    C(connection: local) host, that can reach the PBX."
  - A module run requests one access token and reuses it and one HTTP connection for all its calls. 3CX keeps one
    valid token per client ID; if another job with the same client ID supersedes it, the module requests a new
    token once and repeats the call.
requirements:
  - requests
"""
