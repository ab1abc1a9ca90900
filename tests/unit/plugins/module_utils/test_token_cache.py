# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import os
import stat
import time

import responses

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiClient
from ansible_collections.threecx.pbx.plugins.module_utils._token_cache import TokenCache

URL = "https://pbx.example.com"
SECRET = "cache-test-secret"


def test_round_trip_permissions_and_no_secret(tmp_path):
    directory = tmp_path / "tokens"
    cache = TokenCache(str(directory), URL, "ansible", SECRET)
    assert cache.read() is None
    with cache.locked():
        cache.write("tok-1", 1234.5)
    assert cache.read() == ("tok-1", 1234.5)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert SECRET not in path.read_text()


def test_another_secret_or_client_or_url_does_not_see_the_token(tmp_path):
    TokenCache(str(tmp_path), URL, "ansible", SECRET).write("tok-1", 1234.5)
    assert TokenCache(str(tmp_path), URL, "ansible", "other-secret").read() is None
    assert TokenCache(str(tmp_path), URL, "other-client", SECRET).read() is None
    assert TokenCache(str(tmp_path), "https://other.example.com", "ansible", SECRET).read() is None


def test_a_damaged_cache_file_is_ignored(tmp_path):
    cache = TokenCache(str(tmp_path), URL, "ansible", SECRET)
    cache.write("tok-1", 1234.5)
    with open(cache.path, "w", encoding="utf-8") as stream:
        stream.write("{not json")
    assert cache.read() is None


def token_reply(mock, token):
    mock.add("POST", URL + "/connect/token", json={"access_token": token, "expires_in": 3600})


def client(tmp_path):
    return XapiClient(URL, "ansible", SECRET, token_cache=TokenCache(str(tmp_path), URL, "ansible", SECRET))


@responses.activate
def test_clients_share_the_cached_token(tmp_path):
    token_reply(responses, "tok-1")
    responses.add("GET", URL + "/xapi/v1/DeviceInfos(1)", json={"Id": 1})
    client(tmp_path).get("/DeviceInfos(1)", "GetDeviceInfo")
    second = client(tmp_path)
    second.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert second.token_requests == 0
    assert [c.request.headers.get("Authorization") for c in responses.calls if "xapi" in c.request.url] == [
        "Bearer tok-1", "Bearer tok-1"]


@responses.activate
def test_a_superseded_cached_token_is_replaced_once_for_everyone(tmp_path):
    """Runs that all get 401 with the same token: the first fetches a new one, the others take it from the cache."""
    token_reply(responses, "tok-1")
    token_reply(responses, "tok-2")
    first, second = client(tmp_path), client(tmp_path)
    responses.add("GET", URL + "/xapi/v1/DeviceInfos(1)", json={"Id": 1})
    first.get("/DeviceInfos(1)", "GetDeviceInfo")
    second.get("/DeviceInfos(1)", "GetDeviceInfo")
    responses.replace("GET", URL + "/xapi/v1/DeviceInfos(1)", status=401)
    responses.add("GET", URL + "/xapi/v1/DeviceInfos(1)", json={"Id": 1})
    first.get("/DeviceInfos(1)", "GetDeviceInfo")  # 401 with tok-1, fetches tok-2
    responses.replace("GET", URL + "/xapi/v1/DeviceInfos(1)", status=401)
    responses.add("GET", URL + "/xapi/v1/DeviceInfos(1)", json={"Id": 1})
    second.get("/DeviceInfos(1)", "GetDeviceInfo")  # 401 with tok-1, finds tok-2 in the cache
    assert first.token_requests == 2 and second.token_requests == 0
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer tok-2"


@responses.activate
def test_an_expired_cached_token_is_not_used(tmp_path):
    TokenCache(str(tmp_path), URL, "ansible", SECRET).write("old", time.time() - 1)
    token_reply(responses, "new")
    responses.add("GET", URL + "/xapi/v1/DeviceInfos(1)", json={"Id": 1})
    fresh = client(tmp_path)
    fresh.get("/DeviceInfos(1)", "GetDeviceInfo")
    assert fresh.token_requests == 1
    assert TokenCache(str(tmp_path), URL, "ansible", SECRET).read()[0] == "new"
