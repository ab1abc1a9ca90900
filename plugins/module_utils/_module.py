# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Glue between AnsibleModule and the XAPI client. Private to the threecx.pbx collection: no stable API.

Every module is an :class:`XapiModule`: it gets the shared connection options (documented in the
``threecx.pbx.connection`` doc fragment), one client built from them, and failures turned into
``fail_json`` with a readable message instead of a traceback.
"""

from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.threecx.pbx.plugins.module_utils._client import REQUESTS_IMPORT_ERROR, XapiClient
from ansible_collections.threecx.pbx.plugins.module_utils._odata import INT32_MAX, INT32_MIN, is_int32

CONNECTION_ARGUMENT_SPEC = {
    "url": {"type": "str", "fallback": (env_fallback, ["THREECX_URL"])},
    "client_id": {"type": "str", "fallback": (env_fallback, ["THREECX_CLIENT_ID"])},
    "client_secret": {"type": "str", "no_log": True, "aliases": ["api_key"],
                      "fallback": (env_fallback, ["THREECX_CLIENT_SECRET"])},
    "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["THREECX_VALIDATE_CERTS"])},
    "ca_path": {"type": "path"},
    "timeout": {"type": "float", "default": 30},
}

_REQUIRED_CONNECTION = (("url", "THREECX_URL"), ("client_id", "THREECX_CLIENT_ID"),
                        ("client_secret", "THREECX_CLIENT_SECRET"))


class XapiModule(AnsibleModule):
    """An AnsibleModule with the shared connection options and one XAPI client for the whole run."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        self._client = None

    @property
    def client(self):
        """The XAPI client, built on first use after checking the connection options."""
        if self._client is None:
            if REQUESTS_IMPORT_ERROR:
                self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
            self._check_connection_options()
            params = self.params
            self._client = XapiClient(params["url"], params["client_id"], params["client_secret"],
                                      validate_certs=params["validate_certs"], ca_path=params["ca_path"],
                                      timeout=params["timeout"])
        return self._client

    def _check_connection_options(self):
        missing = ["%s (or the environment variable %s)" % (name, env) for name, env in _REQUIRED_CONNECTION
                   if not self.params[name]]
        if missing:
            self.fail_json(msg="Missing connection options: %s." % ", ".join(missing))
        url = urlsplit(self.params["url"])
        if url.scheme not in ("http", "https") or not url.hostname:
            self.fail_json(msg="url must be the PBX base URL with its scheme, such as https://pbx.example.com:5001, "
                               "not '%s'." % self.params["url"])
        if self.params["timeout"] <= 0:
            self.fail_json(msg="timeout must be a positive number of seconds, not %s." % self.params["timeout"])

    def fail_xapi(self, error, **result):
        """Fail the task with the message of an :class:`XapiError` and what the task had done so far."""
        self.fail_json(msg=error.message, **result)


def check_int32(module, name, *values):
    """Fail before any request when an option's value (None: not given) is outside the Edm.Int32 range of XAPI keys."""
    bad = [value for value in values if value is not None and not is_int32(value)]
    if bad:
        module.fail_json(msg="%s must be a 32-bit signed integer (%d to %d), not %s."
                             % (name, INT32_MIN, INT32_MAX, ", ".join(str(value) for value in bad)))
