# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import RequestHistory

from ansible_collections.threecx.pbx.plugins.module_utils._retry import XapiRetry, may_have_been_processed


@pytest.mark.parametrize("method, status, expected", [
    ("GET", 429, True), ("GET", 502, True), ("GET", 503, True), ("GET", 504, True),
    ("DELETE", 503, True), ("DELETE", 504, True),
    ("GET", 500, False), ("GET", 404, False), ("DELETE", 412, False), ("GET", 401, False),
    ("POST", 429, True), ("POST", 503, True), ("POST", 502, False), ("POST", 504, False), ("POST", 500, False),
    ("POST", 400, False), ("POST", 401, False), ("PATCH", 502, False),
])
def test_which_answers_are_retried(method, status, expected):
    assert XapiRetry().is_retry(method, status) is expected


def test_nothing_is_retried_with_zero_retries():
    assert XapiRetry(retries=0).is_retry("GET", 503) is False


def test_retry_after_is_capped():
    retry = XapiRetry(max_delay=2.5)
    assert retry.parse_retry_after("1") == 1
    assert retry.parse_retry_after("3600") == 2.5


def test_backoff_grows_with_jitter_and_is_capped():
    retry = XapiRetry(retries=10, max_delay=3, backoff_factor=0.5)
    assert retry.get_backoff_time() == 0
    waits = []
    for dummy in range(6):
        retry = retry.increment("GET", "/x", error=ProtocolError("reset"))
        waits.append(retry.get_backoff_time())
    assert 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1 and 1 <= waits[2] <= 2
    assert all(wait <= 3 for wait in waits) and waits[-1] >= 1.5


def test_every_retry_is_counted_across_copies():
    retry = XapiRetry(retries=5)
    retry.increment("GET", "/x", error=ProtocolError("reset")).increment("GET", "/x", error=ProtocolError("reset"))
    assert len(retry.attempts) == 2


def test_a_post_is_not_repeated_after_a_read_error():
    with pytest.raises(ProtocolError):
        XapiRetry().increment("POST", "/x", error=ProtocolError("reset"))


def history(error=None, status=None):
    return RequestHistory("DELETE", "/x", error, status, None)


@pytest.mark.parametrize("attempts, expected", [
    ([], False),
    ([history(status=503)], False),
    ([history(status=429), history(status=503)], False),
    ([history(error=NewConnectionError(None, "refused"))], False),
    ([history(error=ProtocolError("Connection reset"))], True),
    ([history(error=ReadTimeoutError(None, "/x", "timed out"))], True),
    ([history(status=503), history(status=504)], True),
    ([history(status=502)], True),
])
def test_may_have_been_processed(attempts, expected):
    assert may_have_been_processed(attempts) is expected
