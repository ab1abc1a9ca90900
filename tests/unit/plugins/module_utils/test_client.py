# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from ansible_collections.threecx.pbx.plugins.module_utils._client import (
    XapiAuthError,
    XapiClient,
    XapiError,
    XapiForbiddenError,
    XapiNotFoundError,
    XapiPreconditionFailedError,
    XapiTransportError,
    etag_of,
    if_match_header,
)
from ansible_collections.threecx.pbx.plugins.module_utils._token_cache import TokenCache

BASE = "https://pbx.example.com:5001"
API = BASE + "/xapi/v1"
TOKEN_URL = BASE + "/connect/token"
SECRET = "very-secret-api-key"


def token_reply(token="tok-1", expires_in=3600):
    return responses.Response("POST", TOKEN_URL, json={
        "token_type": "Bearer", "expires_in": expires_in, "access_token": token, "refresh_token": None})


@pytest.fixture
def client():
    return XapiClient(BASE + "/", "ansible", SECRET, timeout=7)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def calls_to(mock, url_prefix):
    return [call for call in mock.calls if call.request.url.startswith(url_prefix)]


def test_token_request_is_a_client_credentials_form_post(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    token_call = api.calls[0].request
    assert token_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_call.body) == {
        "client_id": ["ansible"], "client_secret": [SECRET], "grant_type": ["client_credentials"]}
    assert api.calls[1].request.headers["Authorization"] == "Bearer tok-1"


def test_one_token_and_one_session_for_many_calls(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    api.add("DELETE", API + "/DeviceInfos(1)", status=204)
    for dummy in range(5):
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
        client.delete("/DeviceInfos(1)", "DeleteDeviceInfo")
    assert len(calls_to(api, TOKEN_URL)) == 1
    assert client.token_requests == 1


def test_every_request_has_the_timeout_and_tls_settings(api):
    seen = []
    client = XapiClient(BASE, "ansible", SECRET, ca_path="/etc/pbx-ca.pem", timeout=7)
    original = client.session.request

    def spy(method, url, **kwargs):
        seen.append((kwargs["timeout"], kwargs["verify"]))
        return original(method, url, **kwargs)

    client.session.request = spy
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert seen == [(7, "/etc/pbx-ca.pem"), (7, "/etc/pbx-ca.pem")]
    assert client.verify == "/etc/pbx-ca.pem"
    assert XapiClient(BASE, "a", "b").verify is True
    assert XapiClient(BASE, "a", "b", validate_certs=False, ca_path="/x").verify is False


@pytest.fixture
def proxy_environment(monkeypatch):
    """An environment with a CA bundle for requests and an HTTPS proxy, and no other proxy settings."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/env-bundle.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")


def spy_on_requests(client):
    seen = []
    original = client.session.request

    def spy(method, url, **kwargs):
        seen.append(kwargs)
        return original(method, url, **kwargs)

    client.session.request = spy
    return seen


@pytest.mark.parametrize("ca_path, verify", [(None, "/etc/env-bundle.pem"), ("/etc/pbx-ca.pem", "/etc/pbx-ca.pem")])
def test_every_request_has_the_environment_s_proxy_and_ca_bundle_unless_ca_path_is_set(proxy_environment, api, ca_path, verify):
    client = XapiClient(BASE, "ansible", SECRET, ca_path=ca_path)
    seen = spy_on_requests(client)
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert [(kwargs["verify"], kwargs["proxies"]) for kwargs in seen] == [(verify, {"https": "http://proxy.example.com:3128"})] * 2


def test_a_netrc_entry_for_the_pbx_does_not_replace_the_bearer_token(api, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine pbx.example.com login someone password something\n")
    monkeypatch.setenv("NETRC", str(netrc))
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    XapiClient(BASE, "ansible", SECRET).get("/DeviceInfos(1)", "GetDeviceInfo")
    assert api.calls[1].request.headers["Authorization"] == "Bearer tok-1"


@pytest.mark.parametrize("status, body", [
    (401, {"error": "unauthorized", "error_description": "Invalid client credentials"}),
    (400, {"error": "invalid_client", "error_description": "Invalid client credentials"}),
])
def test_bad_credentials_fail_once_without_leaking_the_secret(client, api, status, body):
    api.add("POST", TOKEN_URL, status=status, json=body)
    with pytest.raises(XapiAuthError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    message = str(info.value)
    assert "Invalid client credentials" in message
    assert "client_id 'ansible'" in message and "client_secret" in message
    assert TOKEN_URL in message
    assert SECRET not in message
    assert len(api.calls) == 1  # never retried: 3CX may block an IP after failed logins


def test_expired_or_superseded_token_is_renewed_once(client, api):
    api.add(token_reply("tok-1"))
    api.add(token_reply("tok-2"))
    api.add("GET", API + "/DeviceInfos(1)", status=401, match=[matchers.header_matcher({"Authorization": "Bearer tok-1"})])
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1}, match=[matchers.header_matcher({"Authorization": "Bearer tok-2"})])
    assert client.get("/DeviceInfos(1)", "GetDeviceInfo").data == {"Id": 1}
    assert len(calls_to(api, TOKEN_URL)) == 2


def test_a_second_401_fails_with_a_credentials_hint(client, api):
    api.add(token_reply("tok-1"))
    api.add(token_reply("tok-2"))
    api.add("GET", API + "/DeviceInfos(1)", status=401)
    with pytest.raises(XapiAuthError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert "HTTP 401" in str(info.value) and "GetDeviceInfo" in str(info.value)
    assert "tok-" not in str(info.value)
    assert len(calls_to(api, TOKEN_URL)) == 2
    assert len(calls_to(api, API)) == 2


def test_token_is_renewed_before_it_runs_out(client, api, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("ansible_collections.threecx.pbx.plugins.module_utils._client.time.time", lambda: clock[0])
    api.add(token_reply("tok-1", expires_in=3600))
    api.add(token_reply("tok-2", expires_in=3600))
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1})
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    clock[0] += 3000
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert len(calls_to(api, TOKEN_URL)) == 1
    clock[0] += 590  # 30 s before expiry, whatever the unit of expires_in really was
    client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert len(calls_to(api, TOKEN_URL)) == 2


LOGIN_PAGE = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>\n  Captive Portal &amp; Guest Wi-Fi Login\n</title></head>"
              "<body><form>password: <input name=secret-field></form></body></html>")


def test_token_endpoint_answering_a_web_page_says_what_came_back(client, api):
    api.add("POST", TOKEN_URL, body=LOGIN_PAGE, content_type="text/html; charset=utf-8")
    with pytest.raises(XapiError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    message = str(info.value)
    assert "the token endpoint %s answered HTTP 200 (text/html) with an HTML page titled " \
           "'Captive Portal & Guest Wi-Fi Login', not JSON" % TOKEN_URL in message
    assert "not a portal or proxy in front of it?" in message
    assert "secret-field" not in message and "<" not in message and "\n" not in message
    assert len(calls_to(api, API)) == 0


def test_token_reply_in_json_without_access_token(client, api):
    api.add("POST", TOKEN_URL, json={"token_type": "Bearer"})
    with pytest.raises(XapiError, match="answered JSON without an access token"):
        client.get("/DeviceInfos(1)", "GetDeviceInfo")


def test_token_reply_neither_json_nor_html(client, api):
    api.add("POST", TOKEN_URL, body="Service temporarily unavailable, come back later", content_type="text/plain")
    with pytest.raises(XapiError, match=r"answered HTTP 200 \(text/plain\) with a body that is not JSON: "
                                        r"'Service temporarily unavailable, come back later', not JSON"):
        client.get("/DeviceInfos(1)", "GetDeviceInfo")


@pytest.mark.parametrize("token_cache, hint", [(None, "token_cache: false"), ("cache", "The token cache is on")])
def test_token_endpoint_403_names_both_causes_and_is_not_retried(api, tmp_path, token_cache, hint):
    cache = TokenCache(str(tmp_path), BASE, "ansible", SECRET) if token_cache else None
    client = XapiClient(BASE, "ansible", SECRET, token_cache=cache)
    api.add("POST", TOKEN_URL, status=403, body="")
    with pytest.raises(XapiForbiddenError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    message = str(info.value)
    assert "HTTP 403" in message and "allow-list" in message and "too many tokens" in message
    assert "about three minutes" in message and hint in message and "Not retried" in message
    assert info.value.operation == "token"
    assert len(calls_to(api, TOKEN_URL)) == 1 and client.retry_count == 0


def test_odata_error_message_names_status_operation_and_server_message(client, api):
    api.add(token_reply())
    api.add("DELETE", API + "/DeviceInfos(7)", status=400, json={"error": {
        "code": "", "message": "MAC:\nWARNINGS.XAPI.NOT_FOUND",
        "details": [{"code": "", "message": "WARNINGS.XAPI.NOT_FOUND", "target": "MAC"}]}})
    with pytest.raises(XapiError) as info:
        client.delete("/DeviceInfos(7)", "DeleteDeviceInfo")
    assert str(info.value) == (
        "DeleteDeviceInfo (DELETE /xapi/v1/DeviceInfos(7)) failed: HTTP 400 Bad Request: "
        "MAC: WARNINGS.XAPI.NOT_FOUND")
    assert info.value.status == 400 and info.value.operation == "DeleteDeviceInfo"


def test_error_details_that_the_message_lacks_are_added(client, api):
    api.add(token_reply())
    api.add("POST", API + "/DeviceInfos(7)/Pbx.Provision", status=400, json={"error": {
        "code": "", "message": "Validation failed",
        "details": [{"code": "", "message": "WARNINGS.XAPI.ALREADY_IN_USE", "target": "userId"}]}})
    with pytest.raises(XapiError, match=r"HTTP 400 Bad Request: Validation failed \(userId: WARNINGS.XAPI.ALREADY_IN_USE\)$"):
        client.request("POST", "/DeviceInfos(7)/Pbx.Provision", "Provision", json={"userId": 3})


@pytest.mark.parametrize("status, error_class", [
    (404, XapiNotFoundError), (412, XapiPreconditionFailedError), (403, XapiForbiddenError), (500, XapiError)])
def test_typed_exceptions(client, api, status, error_class):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", status=status, json={"error": {"code": "", "message": "nope"}})
    with pytest.raises(error_class) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert info.value.__class__ is error_class
    assert "HTTP %d" % status in str(info.value) and "nope" in str(info.value)


def test_forbidden_names_both_causes(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", status=403, body="")
    with pytest.raises(XapiForbiddenError) as info:
        client.get("/DeviceInfos", "ListDeviceInfo")
    assert "System Owner" in str(info.value) and "allow-list" in str(info.value)


@pytest.mark.parametrize("body, content_type, page", [
    (LOGIN_PAGE, "text/html; charset=utf-8", "(text/html) with an HTML page titled 'Captive Portal & Guest Wi-Fi Login'"),
    ("<html><body>Sign in</body></html>", "text/html", "(text/html) with an HTML page, not JSON"),
    ("<html><title>%s</title></html>" % ("Welcome to the reverse proxy of example.com " * 5), None,
     "with an HTML page titled 'Welcome to the reverse proxy of example.com Welcome to the...'"),
])
def test_html_instead_of_json_is_explained(client, api, body, content_type, page):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", body=body, content_type=content_type)
    with pytest.raises(XapiError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    message = str(info.value)
    assert message.startswith("GetDeviceInfo (GET /xapi/v1/DeviceInfos(1)) failed: the PBX answered HTTP 200 ")
    assert page in message and "not a portal or proxy in front of it?" in message
    assert "secret-field" not in message and "<" not in message


def test_an_html_error_page_is_named_by_its_title(client, api):
    api.add(token_reply())
    api.add("DELETE", API + "/DeviceInfos(1)", status=500,
            body="<html><head><title>500 Internal Server Error</title></head><body><center>nginx</center></body></html>",
            content_type="text/html")
    with pytest.raises(XapiError, match=r"HTTP 500 Internal Server Error: an HTML page titled '500 Internal Server Error', "
                                        r"not an XAPI answer \(from a proxy or portal in front of the PBX\?\)$"):
        client.delete("/DeviceInfos(1)", "DeleteDeviceInfo")


@pytest.mark.parametrize("method, status", [("GET", 500), ("DELETE", 500), ("GET", 400), ("DELETE", 409)])
def test_errors_are_not_retried(client, api, method, status):
    api.add(token_reply())
    api.add(method, API + "/DeviceInfos(1)", status=status, json={"error": {"code": "", "message": "boom"}})
    with pytest.raises(XapiError):
        client.request(method, "/DeviceInfos(1)", "X")
    assert len(calls_to(api, API)) == 1


def test_connection_errors_are_explained_and_not_retried(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(XapiTransportError, match="could not connect to https://pbx.example.com:5001"):
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert len(calls_to(api, API)) == 1


def test_tls_failure_points_at_ca_path_and_validate_certs(client, api):
    api.add("POST", TOKEN_URL, body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(XapiTransportError) as info:
        client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert "ca_path" in str(info.value) and "validate_certs" in str(info.value)


def test_timeout_is_explained(client, api):
    api.add("POST", TOKEN_URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(XapiTransportError, match="within 7 seconds"):
        client.get("/DeviceInfos(1)", "GetDeviceInfo")


def test_etag_helpers():
    assert etag_of({"@odata.etag": 'W/"1"'}) == 'W/"1"'
    assert etag_of({"Id": 1}) is None
    assert if_match_header('W/"1"') == {"If-Match": 'W/"1"'}
    assert if_match_header(None) == {}


def test_delete_sends_if_match_only_when_given(client, api):
    api.add(token_reply())
    api.add("DELETE", API + "/DeviceInfos(1)", status=204)
    client.delete("/DeviceInfos(1)", "DeleteDeviceInfo", etag='W/"5"')
    client.delete("/DeviceInfos(1)", "DeleteDeviceInfo")
    deletes = calls_to(api, API)
    assert deletes[0].request.headers["If-Match"] == 'W/"5"'
    assert "If-Match" not in deletes[1].request.headers


def test_get_returns_body_and_etag_header(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos(1)", json={"Id": 1}, headers={"ETag": 'W/"9"'})
    response = client.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert (response.status, response.data, response.etag) == (200, {"Id": 1}, 'W/"9"')
    assert etag_of(response.data, response) == 'W/"9"'


# -- paging --------------------------------------------------------------------------------------------------

def page_callback(records, cap=None, count=True, link_for=None):
    """A list endpoint over ``records`` that honours $top/$skip, caps pages at ``cap`` and counts."""

    def callback(request):
        query = parse_qs(urlsplit(request.url).query)
        skip = int(query.get("$skip", ["0"])[0])
        top = int(query.get("$top", ["100"])[0])
        if cap:
            top = min(top, cap)
        body = {"value": records[skip:skip + top]}
        if count:
            body["@odata.count"] = len(records)
        return 200, {}, json.dumps(body)

    return callback


def list_queries(api):
    return [parse_qs(urlsplit(call.request.url).query) for call in calls_to(api, API)]


def test_paging_reads_until_count_is_reached(client, api):
    records = [{"Id": i} for i in range(1, 251)]
    api.add(token_reply())
    api.add_callback("GET", API + "/DeviceInfos", callback=page_callback(records))
    got = list(client.iter_collection("/DeviceInfos", "ListDeviceInfo", {"$filter": "Assigned eq false"}))
    assert got == records
    queries = list_queries(api)
    assert [q["$skip"] for q in queries] == [["0"], ["100"], ["200"]]
    assert all(q["$filter"] == ["Assigned eq false"] and q["$count"] == ["true"] for q in queries)


def test_paging_does_not_trust_the_server_to_honour_top(client, api):
    records = [{"Id": i} for i in range(1, 121)]
    api.add(token_reply())
    api.add_callback("GET", API + "/DeviceInfos", callback=page_callback(records, cap=50))
    assert list(client.iter_collection("/DeviceInfos", "ListDeviceInfo")) == records
    assert [q["$skip"] for q in list_queries(api)] == [["0"], ["50"], ["100"]]


def test_paging_without_count_stops_on_an_empty_page(client, api):
    records = [{"Id": i} for i in range(1, 131)]
    api.add(token_reply())
    api.add_callback("GET", API + "/DeviceInfos", callback=page_callback(records, cap=50, count=False))
    assert list(client.iter_collection("/DeviceInfos", "ListDeviceInfo", page_size=100)) == records
    assert [q["$skip"] for q in list_queries(api)] == [["0"], ["50"], ["100"], ["130"]]


def test_paging_of_an_empty_collection_is_one_request(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", json={"value": [], "@odata.count": 0})
    assert list(client.iter_collection("/DeviceInfos", "ListDeviceInfo")) == []
    assert len(calls_to(api, API)) == 1


def test_paging_follows_a_next_link_when_one_comes(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", json={"value": [{"Id": 1}], "@odata.nextLink": API + "/DeviceInfos?$skiptoken=2"},
            match=[matchers.query_param_matcher({"$top": "100", "$skip": "0", "$count": "true"})])
    api.add("GET", API + "/DeviceInfos", json={"value": [{"Id": 2}], "@odata.nextLink": "DeviceInfos?$skiptoken=3"},
            match=[matchers.query_param_matcher({"$skiptoken": "2"})])
    api.add("GET", API + "/DeviceInfos", json={"value": [{"Id": 3}]},
            match=[matchers.query_param_matcher({"$skiptoken": "3"})])
    assert [r["Id"] for r in client.iter_collection("/DeviceInfos", "ListDeviceInfo")] == [1, 2, 3]


def test_a_next_link_to_another_host_is_not_followed(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", json={"value": [{"Id": 1}], "@odata.nextLink": "https://evil.example/steal"})
    with pytest.raises(XapiError, match="another server"):
        list(client.iter_collection("/DeviceInfos", "ListDeviceInfo"))
    assert all("evil" not in call.request.url for call in api.calls)


def test_a_server_that_ignores_skip_does_not_loop_forever(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", json={"value": [{"Id": 1}, {"Id": 2}]})
    with pytest.raises(XapiError, match="ignores \\$skip"):
        list(client.iter_collection("/DeviceInfos", "ListDeviceInfo"))
    assert len(calls_to(api, API)) == 2


def test_a_list_reply_without_value_is_an_error(client, api):
    api.add(token_reply())
    api.add("GET", API + "/DeviceInfos", json={"Id": 1})
    with pytest.raises(XapiError, match="no 'value' list"):
        list(client.iter_collection("/DeviceInfos", "ListDeviceInfo"))
