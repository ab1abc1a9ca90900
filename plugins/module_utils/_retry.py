# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which XAPI requests are tried again, and when. Private to the threecx.pbx collection: no stable API.

urllib3's ``Retry`` on the client's session does the retrying; this subclass sets the XAPI's rules:

- GET and DELETE are idempotent here: they are repeated after 429, 502, 503 and 504 answers, connection
  errors and read timeouts.
- Any other method (a POST action, the token request) only when the request cannot have been processed:
  a connection that was never made, or a 429 or 503 answer (the server says it did not act).
- A ``Retry-After`` header is honoured, up to ``max_delay`` seconds; otherwise exponential backoff with
  jitter, also capped at ``max_delay``.
"""

import random

try:
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    from urllib3.util.retry import Retry
except ImportError:  # requests (which needs urllib3) is missing: the modules report it
    Retry = object
    ConnectTimeoutError = NewConnectionError = None

IDEMPOTENT_METHODS = frozenset(("GET", "DELETE"))
RETRY_STATUSES = frozenset((429, 502, 503, 504))
UNPROCESSED_STATUSES = frozenset((429, 503))


class XapiRetry(Retry):
    """A urllib3 ``Retry`` with the XAPI's rules; ``attempts`` collects every retry made, across copies."""

    def __init__(self, retries=3, max_delay=30.0, backoff_factor=0.5, attempts=None, **kwargs):
        kwargs.setdefault("total", retries)
        kwargs.setdefault("allowed_methods", IDEMPOTENT_METHODS)
        kwargs.setdefault("status_forcelist", RETRY_STATUSES)
        kwargs.setdefault("raise_on_status", False)
        kwargs.setdefault("respect_retry_after_header", True)
        super().__init__(backoff_factor=backoff_factor, **kwargs)
        self.max_delay = max_delay
        self.attempts = [] if attempts is None else attempts

    def new(self, **kw):
        return super().new(max_delay=self.max_delay, attempts=self.attempts, **kw)

    def is_retry(self, method, status_code, has_retry_after=False):
        statuses = RETRY_STATUSES if method.upper() in IDEMPOTENT_METHODS else UNPROCESSED_STATUSES
        return bool(self.total) and status_code in statuses

    def parse_retry_after(self, retry_after):
        return min(super().parse_retry_after(retry_after), self.max_delay)

    def get_backoff_time(self):
        if not self.history:
            return 0
        delay = min(self.max_delay, self.backoff_factor * 2 ** (len(self.history) - 1))
        return delay * (0.5 + random.random() / 2)

    def increment(self, *args, **kwargs):
        retry = super().increment(*args, **kwargs)
        self.attempts.append(retry.history[-1])
        return retry


def may_have_been_processed(history):
    """Whether an earlier attempt of a retried request may have reached the PBX and acted.

    A connection never made and a 429 or 503 answer mean it did not; a reset or timed-out connection, or
    a 502 or 504 from a proxy, leave it open.
    """
    for attempt in history:
        if attempt.error is not None and not isinstance(attempt.error, (ConnectTimeoutError, NewConnectionError)):
            return True
        if attempt.status is not None and attempt.status not in UNPROCESSED_STATUSES:
            return True
    return False
