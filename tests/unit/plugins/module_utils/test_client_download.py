# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""XapiClient.download: same origin only, the bearer token, the client's TLS, timeout and retries, and the link (a
credential) in no message, exception or log line."""

import logging

import pytest
import requests
import responses
from responses import matchers
from xapi_simulator import Simulator

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiAuthError, XapiClient, XapiError, XapiNotFoundError, \
    XapiTransportError

BASE = "https://pbx.example.com:5001"
TOKEN_URL = BASE + "/connect/token"
TICKET = "T1cket-0f-the-backup-link"
LINK = "/api/BackupDownload?file=night.zip&ticket=" + TICKET
WHAT = "Downloading backup 'night.zip'"


def token_reply(token="tok-1"):
    return responses.Response("POST", TOKEN_URL, json={"token_type": "Bearer", "expires_in": 3600, "access_token": token})


@pytest.fixture
def client():
    return XapiClient(BASE, "ansible", "secret", timeout=7, retries=0)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(token_reply())
        yield mock


def download(client, link=LINK):
    chunks = []
    size = client.download(link, WHAT, chunks.append)
    return size, b"".join(chunks)


def test_streams_the_file_with_the_bearer_token_and_the_client_s_settings(client, api):
    seen = []
    original = client.session.request

    def spy(method, url, **kwargs):
        seen.append((url, kwargs.get("stream"), kwargs["timeout"], kwargs["verify"], kwargs["allow_redirects"]))
        return original(method, url, **kwargs)
    client.session.request = spy
    body = bytes(range(256)) * 1000
    api.add("GET", BASE + "/api/BackupDownload", body=body, content_type="application/zip",
            match=[matchers.query_param_matcher({"file": "night.zip", "ticket": TICKET}),
                   matchers.header_matcher({"Authorization": "Bearer tok-1", "Accept": "*/*"})])
    assert download(client) == (len(body), body)
    token, fetched = seen
    assert fetched[:3] == (BASE + LINK, True, 7) and fetched[3:] == token[3:], "the TLS settings of every call, no redirects"
    assert fetched[4] is False


@pytest.mark.parametrize("link", [BASE + LINK, "api/BackupDownload?file=night.zip&ticket=" + TICKET])
def test_an_absolute_link_to_the_pbx_or_a_relative_one_resolves_against_its_root(client, api, link):
    api.add("GET", BASE + "/api/BackupDownload", body=b"zip")
    assert download(client, link) == (3, b"zip")


@pytest.mark.parametrize("link", ["https://user:pass@evil.example" + LINK, "//evil.example" + LINK, "http://pbx.example.com:5001" + LINK])
def test_a_link_to_another_origin_is_refused_unsent_and_unquoted(client, api, link):
    with pytest.raises(XapiError) as caught:
        download(client, link)
    assert "sent a download link to another server" in caught.value.message
    assert TICKET not in caught.value.message and "pass" not in caught.value.message
    assert [call.request.url for call in api.calls] == []


def test_a_refused_token_is_renewed_once_then_the_link_is_said_to_be_stale(client, api):
    api.add(token_reply("tok-2"))
    api.add("GET", BASE + "/api/BackupDownload", status=401)
    with pytest.raises(XapiAuthError) as caught:
        download(client)
    assert "HTTP 401" in caught.value.message and "The link may have expired" in caught.value.message
    downloads = [call.request for call in api.calls if "BackupDownload" in call.request.url]
    assert [request.headers["Authorization"] for request in downloads] == ["Bearer tok-1", "Bearer tok-2"]
    assert TICKET not in caught.value.message


def test_an_error_reply_that_echoes_the_link_is_reported_without_it(client, api):
    api.add("GET", BASE + "/api/BackupDownload", status=404, body="No backup at " + LINK, content_type="text/plain")
    with pytest.raises(XapiNotFoundError) as caught:
        download(client)
    assert caught.value.message.startswith(WHAT + " failed: HTTP 404")
    assert TICKET not in caught.value.message and "<download link>" in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__context__ is not None  # raised from None: no traceback to print


def test_a_connection_error_names_the_pbx_not_the_link(client, api):
    api.add("GET", BASE + "/api/BackupDownload", body=requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='pbx.example.com', port=5001): Max retries exceeded with url: %s (Caused by refused)" % LINK))
    with pytest.raises(XapiTransportError) as caught:
        download(client)
    assert "could not connect to https://pbx.example.com:5001" in caught.value.message
    assert TICKET not in str(caught.value) and "ticket=" not in str(caught.value)


def test_against_the_simulator_a_cut_download_and_the_retries_leave_the_link_out_of_the_logs(caplog):
    with Simulator(clients={"ansible": "secret"}) as sim:
        record = sim.backups.listed()[0]
        client = XapiClient(sim.url, "ansible", "secret", retries=2, retry_max_delay=0.01)
        sim.reset_next(operation="backup_download")  # the connection closed unanswered: urllib3 retries, and logs it
        caplog.set_level(logging.DEBUG)
        assert download(client, record["DownloadLink"]) == (record["Size"], sim.backups.content(record["FileName"]))
        sim.reset_next(operation="backup_download", after_bytes=5000)
        written = []
        with pytest.raises(XapiTransportError) as caught:
            client.download(record["DownloadLink"], WHAT, written.append)
        assert caught.value.message.startswith(WHAT + " failed half-way: the connection broke off (")
        assert "IncompleteRead(5000 bytes read" in caught.value.message
        assert sum(len(chunk) for chunk in written) < record["Size"]
        assert sim.violations == []
    ticket = record["DownloadLink"].split("ticket=")[1]
    assert "Retrying" in caplog.text and "<download link>" in caplog.text
    assert ticket not in caplog.text and ticket not in caught.value.message
    assert all(not logging.getLogger(name).filters for name in ("urllib3.connectionpool", "urllib3.util.retry"))


def test_a_stalled_download_says_how_long_it_waited(client, api):
    api.add("GET", BASE + "/api/BackupDownload", body=b"zip")
    original = client.session.request

    def stalled(*args, **kwargs):
        response = original(*args, **kwargs)
        if "BackupDownload" in response.url:
            response.iter_content = stall
        return response

    def stall(chunk_size):
        raise requests.exceptions.ConnectionError("HTTPSConnectionPool(host='pbx.example.com', port=5001): Read timed out.")
    client.session.request = stalled
    with pytest.raises(XapiTransportError, match="^Downloading backup 'night.zip' failed half-way: no data came for 7 seconds.$"):
        download(client)
