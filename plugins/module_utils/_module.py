# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Glue between AnsibleModule and the XAPI client. Private to the threecx.pbx collection: no stable API.

Every module is an :class:`XapiModule`: it gets the shared connection options (documented in the
``threecx.pbx.connection`` doc fragment), one client built from them, and failures turned into
``fail_json`` with a readable message instead of a traceback.
"""

import ipaddress
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.threecx.pbx.plugins.module_utils._client import API_PATH, REQUESTS_IMPORT_ERROR, XapiClient
from ansible_collections.threecx.pbx.plugins.module_utils._odata import INT32_MAX, INT32_MIN, is_int32
from ansible_collections.threecx.pbx.plugins.module_utils._token_cache import TokenCache

CONNECTION_ARGUMENT_SPEC = {
    "url": {"type": "str", "fallback": (env_fallback, ["THREECX_URL"])},
    "client_id": {"type": "str", "fallback": (env_fallback, ["THREECX_CLIENT_ID"])},
    "client_secret": {"type": "str", "no_log": True, "aliases": ["api_key"],
                      "fallback": (env_fallback, ["THREECX_CLIENT_SECRET"])},
    "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["THREECX_VALIDATE_CERTS"])},
    "ca_path": {"type": "path"},
    "timeout": {"type": "float", "default": 30},
    "retries": {"type": "int", "default": 3},
    "retry_max_delay": {"type": "float", "default": 30},
    "allow_http": {"type": "bool", "default": False},
    "token_cache": {"type": "bool", "default": True},
    "token_cache_dir": {"type": "path", "default": "~/.ansible/tmp/threecx_pbx_tokens",
                        "fallback": (env_fallback, ["THREECX_TOKEN_CACHE_DIR"])},
}

_REQUIRED_CONNECTION = (("url", "THREECX_URL"), ("client_id", "THREECX_CLIENT_ID"),
                        ("client_secret", "THREECX_CLIENT_SECRET"))


class XapiModule(AnsibleModule):
    """An AnsibleModule with the shared connection options and one XAPI client for the whole run."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self._client = None  # before AnsibleModule's checks, which may already fail the task
        super().__init__(argument_spec=spec, **kwargs)

    @property
    def client(self):
        """The XAPI client, built on first use after checking the connection options."""
        if self._client is None:
            if REQUESTS_IMPORT_ERROR:
                self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
            params = self.params
            url = self._base_url()
            self._check_numbers()
            if not params["validate_certs"] and url.startswith("https:"):
                self.warn("validate_certs is false: the PBX's TLS certificate is not verified, so anyone between this host "
                          "and the PBX could read the credentials. Prefer ca_path with the CA that signed the certificate.")
            cache = TokenCache(params["token_cache_dir"], url, params["client_id"], params["client_secret"]) \
                if params["token_cache"] else None
            self._client = XapiClient(url, params["client_id"], params["client_secret"],
                                      validate_certs=params["validate_certs"], ca_path=params["ca_path"],
                                      timeout=params["timeout"], retries=params["retries"],
                                      retry_max_delay=params["retry_max_delay"], token_cache=cache)
        return self._client

    def _base_url(self):
        """The PBX base URL, checked: the scheme and host of ``url`` (a trailing ``/xapi/v1`` is forgiven)."""
        missing = ["%s (or the environment variable %s)" % (name, env) for name, env in _REQUIRED_CONNECTION
                   if not self.params[name]]
        if missing:
            self.fail_json(msg="Missing connection options: %s." % ", ".join(missing))
        given = self.params["url"].strip()
        url = urlsplit(given)
        if url.scheme not in ("http", "https") or not url.hostname:
            self.fail_json(msg="url must be the PBX base URL with its scheme, such as https://pbx.example.com:5001, "
                               "not '%s'." % given)
        path = url.path.rstrip("/")
        if path == API_PATH:
            self.warn("url should be the PBX base URL without %s: using %s://%s." % (API_PATH, url.scheme, url.netloc))
        elif path or url.query or url.fragment:
            self.fail_json(msg="url must be the PBX base URL, such as https://pbx.example.com:5001, without a path: "
                               "'%s' has '%s'." % (given, given.split(url.netloc, 1)[1]))
        if url.scheme == "http" and not self.params["allow_http"] and not _is_loopback(url.hostname):
            self.fail_json(msg="url %s uses plain http: the client secret and tokens would cross the network unencrypted. "
                               "Use https, or set allow_http: true if the network path is trusted." % given)
        return "%s://%s" % (url.scheme, url.netloc)

    def _check_numbers(self):
        for name, minimum in (("timeout", 0), ("retry_max_delay", 0)):
            if self.params[name] <= minimum:
                self.fail_json(msg="%s must be a positive number of seconds, not %s." % (name, self.params[name]))
        if self.params["retries"] < 0:
            self.fail_json(msg="retries must be 0 or more, not %s." % self.params["retries"])

    def _retry_count(self):
        return self._client.retry_count if self._client else 0

    def exit_json(self, **kwargs):
        """Every result says how many requests were tried again (``retry_count``)."""
        super().exit_json(retry_count=self._retry_count(), **kwargs)

    def fail_json(self, msg, **kwargs):
        super().fail_json(msg, retry_count=self._retry_count(), **kwargs)

    def fail_xapi(self, error, **result):
        """Fail the task with the message of an :class:`XapiError` and what the task had done so far."""
        self.fail_json(msg=error.message, **result)


def check_int32(module, name, *values):
    """Fail before any request when an option's value (None: not given) is outside the Edm.Int32 range of XAPI keys."""
    bad = [value for value in values if value is not None and not is_int32(value)]
    if bad:
        module.fail_json(msg="%s must be a 32-bit signed integer (%d to %d), not %s."
                             % (name, INT32_MIN, INT32_MAX, ", ".join(str(value) for value in bad)))


def _is_loopback(hostname):
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
