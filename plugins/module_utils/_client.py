# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The XAPI client shared by every module. Private to the threecx.pbx collection: no stable API.

Plain Python on top of ``requests``: it knows nothing of Ansible, so it can be tested on its own.
URL, credentials, TLS settings and a timeout go in; parsed JSON and typed exceptions come out.
"""

import html
import logging
import re
import threading
import time
import traceback
from urllib.parse import urljoin, urlsplit

from ansible_collections.threecx.pbx.plugins.module_utils._odata import encode_query
from ansible_collections.threecx.pbx.plugins.module_utils._retry import XapiRetry, may_have_been_processed

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

API_PATH = "/xapi/v1"
TOKEN_PATH = "/connect/token"
DEFAULT_PAGE_SIZE = 100
# DELETEs one client may have in flight at once (the most ``parallelism`` a module allows), one connection each.
MAX_CONNECTIONS = 10

# 3CX sent expires_in in minutes up to 20.0.8 and in seconds since 20.0.9. Reading it as seconds
# errs on the early side; the token is refreshed this long before it would run out.
_TOKEN_REFRESH_MARGIN = 30

_FORBIDDEN_HINT = (
    "The API client may lack the role this needs (for example System Administrator where System Owner is "
    "required), or this machine's IP address is not on the API client's allow-list in the 3CX admin console "
    "(Integrations > API)."
)
_CREDENTIALS_HINT = (
    "Check client_id and client_secret: the secret is the API key shown once when the API client was "
    "created in the 3CX admin console (Integrations > API), and the client needs XAPI access enabled."
)
_NOT_THE_PBX_HINT = "Is url the PBX's address (such as https://pbx.example.com:5001), not a portal or proxy in front of it?"
# The part of an HTML reply that may be quoted in a message; the page itself never is.
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TITLE_LENGTH = 60


class XapiError(Exception):
    """An XAPI exchange that failed. ``str()`` is a complete, one-line message for the user."""

    def __init__(self, message, status=None, operation=None, code=None, repeated=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.operation = operation
        self.code = code
        # The request was sent again after an attempt that may have reached the PBX and acted (a reset
        # connection, a timeout, a 502 or 504): a 404 to a repeated DELETE likely answers our own first attempt.
        self.repeated = repeated


class XapiAuthError(XapiError):
    """The PBX refused the credentials or the access token."""


class XapiForbiddenError(XapiError):
    """HTTP 403: the API client's role or the IP allow-list does not permit the call, or (from the token endpoint) too many tokens were asked for."""


class XapiNotFoundError(XapiError):
    """HTTP 404: the entity (or the path) does not exist."""


class XapiPreconditionFailedError(XapiError):
    """HTTP 412: the entity changed since the ETag sent in ``If-Match`` was read."""


class XapiTransportError(XapiError):
    """No usable HTTP answer: connection refused, TLS failure, timeout."""


class XapiResponse:
    """What the modules need of an answer: its status, its JSON body (or None) and its ETag header."""

    def __init__(self, status, data, etag):
        self.status = status
        self.data = data
        self.etag = etag


def etag_of(record, response=None):
    """The ETag of a record: ``@odata.etag`` in its body, else the reply's ``ETag`` header, else None."""
    etag = record.get("@odata.etag") if isinstance(record, dict) else None
    if etag is None and response is not None:
        etag = response.etag
    return etag


def if_match_header(etag):
    """Request headers that make a write conditional on ``etag``; none when there is no ETag."""
    return {"If-Match": etag} if etag else {}


def _one_line(text):
    return " ".join(str(text).split())


def _server_message(response):
    """The server's own words from an error reply: OData ``error.message`` and details, or OAuth fields."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = _one_line(error.get("message") or "")
            details = [
                "%s: %s" % (d.get("target"), d.get("message")) if d.get("target") else str(d.get("message"))
                for d in error.get("details") or [] if isinstance(d, dict) and d.get("message")
            ]
            if details and not all(detail in message for detail in details):
                message = "%s (%s)" % (message, "; ".join(details)) if message else "; ".join(details)
            return message, error.get("code") or None
        if isinstance(error, str):
            return _one_line(body.get("error_description") or error), error
    text = _one_line(response.text or "")
    if not text:
        return "empty reply", None
    if _is_html(response):
        return "%s, not an XAPI answer (from a proxy or portal in front of the PBX?)" % _html_page(response), None
    return text[:300], None


def _is_html(response):
    content_type = (response.headers.get("Content-Type") or "").lower()
    return "html" in content_type or (response.text or "").lstrip()[:1] == "<"


def _html_page(response):
    """An HTML reply in a few words: "an HTML page titled '3CX Sign in'" (the title cut short; never the page)."""
    match = _HTML_TITLE.search(response.text or "")
    title = _one_line(html.unescape(match.group(1))) if match else ""
    if not title:
        return "an HTML page"
    if len(title) > _TITLE_LENGTH:
        title = title[:_TITLE_LENGTH].rsplit(" ", 1)[0] + "..."
    return "an HTML page titled %r" % title


def _not_json(response):
    """What came instead of JSON: the status, the content type, and an HTML page's title or the first words of the body."""
    content_type = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
    reply = "HTTP %d (%s)" % (response.status_code, content_type)
    text = _one_line(response.text or "")
    if not text:
        return "%s with an empty body" % reply
    if _is_html(response):
        return "%s with %s" % (reply, _html_page(response))
    return "%s with a body that is not JSON: %r" % (reply, text[:80])


class XapiClient:
    """One PBX, one API client, one ``requests.Session`` (kept alive), one token at a time.

    ``retries`` and ``retry_max_delay`` set how failed requests are tried again (see ``_retry``);
    ``token_cache``, a ``TokenCache``, shares the token with other processes (see ``_token_cache``).
    Requests may be sent from several threads at once (up to ``MAX_CONNECTIONS`` + 1, each on a kept-alive
    connection of its own); they share the token, which one of them fetches at a time.
    """

    def __init__(self, url, client_id, client_secret, validate_certs=True, ca_path=None, timeout=30,
                 retries=3, retry_max_delay=30.0, token_cache=None):
        self.base_url = url.rstrip("/")
        self.api_url = self.base_url + API_PATH
        self.token_url = self.base_url + TOKEN_PATH
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.session = requests.Session()
        self.verify = (ca_path or True) if validate_certs else False
        # What requests would otherwise look up in the environment for each request, looked up once (every request
        # goes to this host): the proxies and, when verify is True, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE. Passed with
        # every request, verify too (the session's own setting would yield to those variables). Without trust_env, an
        # entry for the PBX in ~/.netrc no longer replaces the bearer token with Basic credentials.
        settings = self.session.merge_environment_settings(self.base_url, {}, None, self.verify, None)
        self.session.trust_env = False
        self._request_settings = {"timeout": timeout, "verify": settings["verify"], "proxies": settings["proxies"], "allow_redirects": False}
        self.session.headers.update({"Accept": "application/json"})
        self._retry = XapiRetry(retries=retries, max_delay=retry_max_delay)
        # One more connection for the reads that go on while DELETEs are in flight.
        adapter = HTTPAdapter(max_retries=self._retry, pool_maxsize=MAX_CONNECTIONS + 1)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.token_cache = token_cache
        self._token = None
        self._token_expires_at = 0.0
        # ("Bearer <token>", expiry) of the token in use, or None: replaced whole, so that requests read it without the lock.
        self._authorization = None
        self._rejected_token = None
        # Held while the token is checked, fetched or dropped: threads that meet a 401 together fetch one new token.
        self._token_lock = threading.Lock()
        self.token_requests = 0

    @property
    def retry_count(self):
        """How many times requests of this client were tried again."""
        return len(self._retry.attempts)

    # -- transport ---------------------------------------------------------------------------------------

    def _send(self, method, url, description, **kwargs):
        retries_before = self.retry_count
        try:
            return self.session.request(method, url, **self._request_settings, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise XapiTransportError(
                "%s failed: TLS certificate verification of %s failed (%s). Set ca_path to the CA bundle that "
                "signed the PBX certificate, or validate_certs: false for a test PBX only."
                % (description, self.base_url, _one_line(exc)), operation=description)
        except requests.exceptions.RequestException as exc:
            tries = self.retry_count - retries_before + 1
            if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc):  # exhausted retries wrap timeouts
                problem = "no answer from %s within %s seconds" % (self.base_url, self.timeout)
            else:
                problem = "could not connect to %s (%s)" % (self.base_url, _one_line(exc))
            raise XapiTransportError(
                "%s failed: %s, %s. Check url and that the PBX is up and reachable from this host (or raise timeout or "
                "retries)." % (description, problem, "tried once" if tries == 1 else "tried %d times" % tries),
                operation=description)

    # -- authentication ----------------------------------------------------------------------------------

    def _fetch_token(self):
        """Client-credentials grant at ``{url}/connect/token``. Never retried: 3CX may block an IP after failed logins."""
        description = "Token request for client_id '%s'" % self.client_id
        response = self._send("POST", self.token_url, description, data={
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        })
        if response.status_code == 403:
            raise XapiForbiddenError(
                "%s failed: %s answered HTTP 403 Forbidden. 3CX refuses tokens for two reasons: this host's IP address "
                "is not on the API client's allow-list (3CX admin console, Integrations > API), or too many tokens were "
                "asked for in a short time, after which the PBX refuses new ones for about three minutes. %s Not retried: "
                "wait three minutes before running again." % (description, self.token_url, self._token_cache_hint()),
                status=403, operation="token")
        if response.status_code in (400, 401):
            message, code = _server_message(response)
            raise XapiAuthError(
                "Authentication at %s failed for client_id '%s': HTTP %d: %s. %s"
                % (self.token_url, self.client_id, response.status_code, message, _CREDENTIALS_HINT),
                status=response.status_code, operation="token", code=code)
        if response.status_code != 200:
            self._raise_for_status(response, description, "token")
        try:
            body = response.json()
        except ValueError:
            raise XapiError("%s failed: the token endpoint %s answered %s, not JSON. %s"
                            % (description, self.token_url, _not_json(response), _NOT_THE_PBX_HINT),
                            status=response.status_code, operation="token")
        try:
            token = body["access_token"]
            lifetime = float(body.get("expires_in") or 0)
        except (KeyError, TypeError, ValueError):
            raise XapiError(
                "%s failed: %s answered JSON without an access token. Is url the base URL of a 3CX V20 PBX?"
                % (description, self.token_url), status=response.status_code, operation="token")
        if not isinstance(token, str) or not token:
            raise XapiError("%s failed: the access token in the reply is empty." % description, operation="token")
        self.token_requests += 1
        self._token = token
        self._token_expires_at = time.time() + max(lifetime - _TOKEN_REFRESH_MARGIN, lifetime / 2)

    def _token_cache_hint(self):
        if self.token_cache is None:
            return ("The token cache is off (token_cache: false): every module run asks for a token of its own; turn it on "
                    "so that the runs on this controller share one token per PBX and client.")
        return ("The token cache is on, so the module runs on this controller (every fork) share one token per PBX and "
                "client; other jobs or tools with the same client_id still ask for their own.")

    def _bearer(self):
        """The Authorization header's value; a token from the shared cache when there is a usable one, else a new one."""
        authorization = self._authorization
        if authorization is not None and time.time() < authorization[1]:
            return authorization[0]
        with self._token_lock:
            if self._token is not None and time.time() < self._token_expires_at:
                return "Bearer " + self._token
            if self.token_cache is None:
                self._fetch_token()
            else:
                with self.token_cache.locked():
                    cached = self.token_cache.read()
                    if cached and cached[0] != self._rejected_token and time.time() < cached[1]:
                        self._token, self._token_expires_at = cached
                    else:
                        self._fetch_token()
                        self.token_cache.write(self._token, self._token_expires_at)
            self._authorization = ("Bearer " + self._token, self._token_expires_at)
            return self._authorization[0]

    def _reject(self, authorization):
        """Drop the token a 401 refused, unless another thread has replaced it already."""
        with self._token_lock:
            if authorization == "Bearer %s" % self._token:
                self._rejected_token, self._token, self._authorization = self._token, None, None

    # -- API calls ---------------------------------------------------------------------------------------

    def request(self, method, path, operation, params=None, json=None, headers=None):
        """Call ``{url}/xapi/v1{path}`` and return an :class:`XapiResponse`; raise an :class:`XapiError` on failure.

        ``operation`` is the spec's operationId (``DeleteDeviceInfo``); it names the call in messages.
        A 401 fetches a new token once and repeats the call: 3CX keeps one valid token per client id,
        so another job with the same client may have superseded ours.
        """
        url = self.api_url + path
        query = encode_query(params or {})
        if query:
            url += "?" + query
        return self._api_call(method, url, operation, json, headers)

    def _api_call(self, method, url, operation, json=None, headers=None):
        description = "%s (%s %s)" % (operation, method, url[len(self.base_url):])
        request_headers = dict(headers or {})
        for attempt in (1, 2):
            request_headers["Authorization"] = self._bearer()
            response = self._send(method, url, description, json=json, headers=request_headers)
            if response.status_code != 401:
                break
            if attempt == 1:
                self._reject(request_headers["Authorization"])
        else:
            raise XapiAuthError(
                "%s failed: HTTP 401: the PBX refused a freshly issued access token for client_id '%s'. %s"
                % (description, self.client_id, _CREDENTIALS_HINT), status=401, operation=operation)
        if response.status_code >= 300:
            history = getattr(getattr(response.raw, "retries", None), "history", None) or ()
            self._raise_for_status(response, description, operation, may_have_been_processed(history))
        return XapiResponse(response.status_code, self._json_body(response, description, operation),
                            response.headers.get("ETag"))

    @staticmethod
    def _json_body(response, description, operation):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise XapiError("%s failed: the PBX answered %s, not JSON. %s" % (description, _not_json(response), _NOT_THE_PBX_HINT),
                            status=response.status_code, operation=operation)

    @staticmethod
    def _raise_for_status(response, description, operation, repeated=False):
        message, code = _server_message(response)
        status = response.status_code
        text = "%s failed: HTTP %d %s: %s" % (description, status, response.reason or "", message)
        if status == 403:
            raise XapiForbiddenError("%s. %s" % (text, _FORBIDDEN_HINT), status, operation, code)
        error_class = {404: XapiNotFoundError, 412: XapiPreconditionFailedError}.get(status, XapiError)
        raise error_class(text, status, operation, code, repeated)

    def _same_origin_url(self, link, operation, what="a nextLink", base=None):
        """Resolve a ``nextLink`` (or ``what`` else) against ``base``, by default the API's URL; one that points at another
        host is refused, since the token would go with it."""
        url = urljoin((base or self.api_url) + "/", link)
        if urlsplit(url)[:2] != urlsplit(self.base_url)[:2]:
            raise XapiError("%s failed: the PBX sent %s to another server (%s); not followed."
                            % (operation, what, urlsplit(url).netloc.rpartition("@")[2]), operation=operation)
        return url

    def get(self, path, operation, params=None):
        """GET a JSON object (an entity, a collection page, a singleton); anything else is an error."""
        response = self.request("GET", path, operation, params=params)
        if not isinstance(response.data, dict):
            raise XapiError("%s (GET %s) failed: HTTP %d with %s instead of a JSON object. Check that url is the PBX base URL."
                            % (operation, API_PATH + path, response.status, "an empty body" if response.data is None else "JSON that is not an object"),
                            status=response.status, operation=operation)
        return response

    def delete(self, path, operation, etag=None):
        """DELETE, conditional on ``etag`` when one is given."""
        return self.request("DELETE", path, operation, headers=if_match_header(etag))

    def iter_collection(self, path, operation, params=None, page_size=DEFAULT_PAGE_SIZE, limit=None):
        """Yield every record of a collection (the first ``limit`` ones, if given), reading it a page at a time.

        3CX sends no ``@odata.nextLink``: the client pages with ``$top``/``$skip`` until a page comes back
        empty or ``@odata.count`` records are in. A short page does not end the listing, because a PBX or
        a proxy may cap ``$top`` without saying so; ``$skip`` advances by what really came. A ``nextLink``,
        should one ever come, is followed instead.
        """
        params = {name: value for name, value in (params or {}).items() if value is not None}
        skip = int(params.pop("$skip", 0))
        yielded = 0
        next_url = None
        previous_page = None
        while True:
            if next_url:
                response = self._api_call("GET", next_url, operation)
            else:
                top = page_size if limit is None else min(page_size, limit - yielded)
                response = self.get(path, operation, dict(params, **{"$top": top, "$skip": skip, "$count": True}))
            body = response.data
            page = body.get("value") if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise XapiError("%s failed: the reply to GET %s has no 'value' list; is url the PBX base URL?"
                                % (operation, path), status=response.status, operation=operation)
            if not page:
                return
            if page == previous_page:
                raise XapiError("%s failed: the PBX answered the same page twice and ignores $skip; stopped to "
                                "avoid an endless listing." % operation, status=response.status, operation=operation)
            previous_page = page
            if limit is not None:
                page = page[:limit - yielded]
            yield from page
            yielded += len(page)
            skip += len(page)
            if limit is not None and yielded >= limit:
                return
            link = body.get("@odata.nextLink")
            if link:
                next_url = self._same_origin_url(link, operation)
            elif next_url:
                return
            count = body.get("@odata.count")
            if not link and isinstance(count, int) and skip >= count:
                return

    # -- downloads ---------------------------------------------------------------------------------------

    def download(self, link, description, write):
        """Stream the file at ``link`` to ``write(chunk)``, chunk by chunk; returns how many bytes came.

        ``link`` is host-relative (``/api/...``) or a URL of the PBX itself: a link to another host is refused. It is a
        credential (a backup's DownloadLink carries its own ticket), so no message, exception or log line holds it:
        they name the download by ``description`` (``Downloading backup 'x.zip'``). The request goes with the bearer
        token (some PBXs want it besides the ticket), with the TLS settings, timeout and retries of every call; a
        reply cut short raises XapiTransportError, and what ``write`` got until then is the caller's to discard.
        """
        url = self._same_origin_url(link, description, "a download link", self.base_url)
        forms = _link_forms(url)
        redactor = _Redactor(forms)
        loggers = [logging.getLogger(name) for name in _URL_LOGGERS]
        for logger in loggers:
            logger.addFilter(redactor)
        try:
            return self._download(url, description, write)
        except XapiError as error:
            raise type(error)(_redacted(error.message, forms), error.status, error.operation, error.code) from None
        finally:
            for logger in loggers:
                logger.removeFilter(redactor)

    def _download(self, url, description, write):
        authorization = self._bearer()
        response = self._send("GET", url, description, headers={"Authorization": authorization, "Accept": "*/*"}, stream=True)
        if response.status_code == 401:
            # As with request(): our token may have been superseded by another client's; once more with a new one.
            response.close()
            self._reject(authorization)
            response = self._send("GET", url, description, headers={"Authorization": self._bearer(), "Accept": "*/*"}, stream=True)
        with response:
            if response.status_code == 401:
                raise XapiAuthError("%s failed: HTTP 401: the PBX refused the download link with a freshly issued access "
                                    "token for client_id '%s'. The link may have expired: run again, which reads it anew."
                                    % (description, self.client_id), status=401, operation=description)
            if response.status_code != 200:
                self._raise_for_status(response, description, description)
            size = 0
            try:
                for chunk in response.iter_content(_DOWNLOAD_CHUNK):
                    write(chunk)
                    size += len(chunk)
            except requests.exceptions.RequestException as exc:
                problem = "no data came for %s seconds" % self.timeout if "timed out" in str(exc) else \
                    "the connection broke off (%s)" % _one_line(exc)
                raise XapiTransportError("%s failed half-way: %s." % (description, problem), operation=description)
        return size


# Bytes a download reads at a time.
_DOWNLOAD_CHUNK = 64 * 1024
# The loggers of urllib3 that name the URLs it requests and retries.
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")
_LINK = "<download link>"


def _link_forms(url):
    """How a download link may be written in a message or a log line: whole, from its path on, or its query alone, as
    given and as requests sends it (percent-encoded); the longest first."""
    forms = set()
    for form in (url, requests.utils.requote_uri(url)):
        parts = urlsplit(form)
        forms.update((form, parts.path + ("?" + parts.query if parts.query else ""), parts.query))
    return sorted((form for form in forms if form not in ("", "/")), key=len, reverse=True)


def _redacted(text, forms):
    for form in forms:
        text = text.replace(form, _LINK)
    return text


class _Redactor(logging.Filter):
    """Takes a download link out of the log records that name it."""

    def __init__(self, forms):
        super().__init__()
        self.forms = forms

    def filter(self, record):
        message = record.getMessage()
        redacted = _redacted(message, self.forms)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
