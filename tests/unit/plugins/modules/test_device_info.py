# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
import responses

from ansible_collections.threecx.pbx.plugins.modules.device_info import main

from .conftest import API, SECRET

RECORD = {"Id": 42, "MAC": "805ec0112233", "Vendor": "Yealink", "Model": "SIP-T46U", "Assigned": False}
ENTITY = API + "/DeviceInfos(42)"


def xapi_calls(pbx, method=None):
    return [c.request for c in pbx.calls if c.request.url.startswith(API) and method in (None, c.request.method)]


@pytest.mark.parametrize("diff", [False, True])
def test_deletes_an_existing_record(pbx, run_module, diff):
    pbx.add("GET", ENTITY, json=dict(RECORD, **{"@odata.context": API + "/$metadata#DeviceInfos/$entity"}))
    pbx.add("DELETE", ENTITY, status=204)
    result = run_module(main, {"id": 42}, diff=diff)
    assert result["changed"] is True
    assert result["device_info"] == RECORD
    assert ("diff" in result) is diff
    if diff:
        assert result["diff"] == {"before": RECORD, "after": {}}
    delete, = xapi_calls(pbx, "DELETE")
    assert "If-Match" not in delete.headers


@pytest.mark.parametrize("diff", [False, True])
def test_check_mode_reads_and_sends_no_delete(pbx, run_module, diff):
    pbx.add("GET", ENTITY, json=RECORD)
    result = run_module(main, {"id": 42}, check_mode=True, diff=diff)
    assert result["changed"] is True
    assert result["device_info"] == RECORD
    assert "would be deleted" in result["msg"]
    assert [r.method for r in xapi_calls(pbx)] == ["GET"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_missing_record_is_unchanged(pbx, run_module, check_mode):
    pbx.add("GET", ENTITY, status=404, json={"error": {"code": "", "message": "Not found"}})
    result = run_module(main, {"id": 42}, check_mode=check_mode, diff=True)
    assert result["changed"] is False
    assert result["device_info"] == {}
    assert "diff" not in result or result["diff"] == {"before": {}, "after": {}}
    assert [r.method for r in xapi_calls(pbx)] == ["GET"]


def test_record_deleted_by_someone_else_between_read_and_delete(pbx, run_module):
    pbx.add("GET", ENTITY, json=RECORD)
    pbx.add("DELETE", ENTITY, status=404, json={"error": {"code": "", "message": "Not found"}})
    result = run_module(main, {"id": 42})
    assert result["changed"] is False
    assert "failed" not in result


def test_etag_read_is_sent_as_if_match(pbx, run_module):
    pbx.add("GET", ENTITY, json=dict(RECORD, **{"@odata.etag": 'W/"3"'}))
    pbx.add("DELETE", ENTITY, status=204)
    run_module(main, {"id": 42})
    assert xapi_calls(pbx, "DELETE")[0].headers["If-Match"] == 'W/"3"'


def test_given_if_match_wins_and_is_passed_through_without_server_etags(pbx, run_module):
    pbx.add("GET", ENTITY, json=RECORD)
    pbx.add("DELETE", ENTITY, status=204)
    result = run_module(main, {"id": 42, "if_match": 'W/"1"'})
    assert xapi_calls(pbx, "DELETE")[0].headers["If-Match"] == 'W/"1"'
    assert result["device_info"] == RECORD  # as read: the ETag the user gave is not mistaken for the record's


def test_stale_if_match_fails_and_keeps_the_record(pbx, run_module):
    pbx.add("GET", ENTITY, json=dict(RECORD, **{"@odata.etag": 'W/"2"'}))
    pbx.add("DELETE", ENTITY, status=412, json={"error": {"code": "", "message": "Precondition failed"}})
    result = run_module(main, {"id": 42, "if_match": 'W/"1"'})
    assert result["failed"] is True and result["changed"] is False
    assert "changed since ETag W/\"1\" was read" in result["msg"]
    assert "DeviceInfo 42" in result["msg"]


def test_stale_if_match_fails_in_check_mode_too(pbx, run_module):
    pbx.add("GET", ENTITY, json=dict(RECORD, **{"@odata.etag": 'W/"2"'}))
    result = run_module(main, {"id": 42, "if_match": 'W/"1"'}, check_mode=True)
    assert result["failed"] is True
    assert [r.method for r in xapi_calls(pbx)] == ["GET"]


@pytest.mark.parametrize("record_id", [2147483648, -2147483649])
def test_id_out_of_int32_range_fails_before_any_request(pbx, run_module, record_id):
    result = run_module(main, {"id": record_id})
    assert result["failed"] is True and "32-bit" in result["msg"]
    assert len(pbx.calls) == 0


def test_id_that_is_not_a_number_fails_before_any_request(pbx, run_module):
    result = run_module(main, {"id": "forty-two"})
    assert result["failed"] is True and "id" in result["msg"]
    assert len(pbx.calls) == 0


@pytest.mark.parametrize("missing", ["url", "client_id", "client_secret"])
def test_missing_connection_option_fails_before_any_request(pbx, run_module, monkeypatch, missing):
    for name in ("THREECX_URL", "THREECX_CLIENT_ID", "THREECX_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = run_module(main, {"id": 42, missing: None})
    assert result["failed"] is True
    assert missing in result["msg"] and "THREECX_" in result["msg"]
    assert len(pbx.calls) == 0


def test_connection_from_environment(pbx, run_module, monkeypatch):
    monkeypatch.setenv("THREECX_URL", "https://pbx.example.com:5001")
    monkeypatch.setenv("THREECX_CLIENT_ID", "ansible")
    monkeypatch.setenv("THREECX_CLIENT_SECRET", SECRET)
    pbx.add("GET", ENTITY, status=404)
    result = run_module(main, {"id": 42, "url": None, "client_id": None, "client_secret": None})
    assert result["changed"] is False


@pytest.mark.parametrize("url", ["pbx.example.com", "ftp://pbx.example.com", "https://"])
def test_url_without_http_scheme_or_host_fails(pbx, run_module, url):
    result = run_module(main, {"id": 42, "url": url})
    assert result["failed"] is True and "url" in result["msg"]
    assert len(pbx.calls) == 0


def test_bad_credentials_fail_without_the_secret(pbx, run_module):
    pbx.replace("POST", "https://pbx.example.com:5001/connect/token", status=401,
                json={"error": "unauthorized", "error_description": "Invalid client"})
    result = run_module(main, {"id": 42})
    assert result["failed"] is True
    assert "client_id" in result["msg"] and "client_secret" in result["msg"]
    assert SECRET not in str(result)


def test_server_error_on_delete_is_a_clear_failure(pbx, run_module):
    pbx.add("GET", ENTITY, json=RECORD)
    pbx.add("DELETE", ENTITY, status=500, json={"error": {"code": "", "message": "Object reference not set"}})
    result = run_module(main, {"id": 42})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == ("DeleteDeviceInfo (DELETE /xapi/v1/DeviceInfos(42)) failed: "
                             "HTTP 500 Internal Server Error: Object reference not set")


def test_missing_requests_library_gives_ansibles_standard_message(pbx, run_module, monkeypatch):
    monkeypatch.setattr("ansible_collections.threecx.pbx.plugins.module_utils._module.REQUESTS_IMPORT_ERROR",
                        "Traceback: No module named 'requests'")
    result = run_module(main, {"id": 42})
    assert result["failed"] is True
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert len(pbx.calls) == 0


def test_a_url_ending_in_the_api_path_is_forgiven(pbx, run_module):
    pbx.add("GET", ENTITY, status=404)
    result = run_module(main, {"id": 42, "url": "https://pbx.example.com:5001/xapi/v1/"})
    assert result["changed"] is False and "failed" not in result
    assert [c.request.url for c in pbx.calls][-1] == ENTITY


@pytest.mark.parametrize("url, message", [
    ("https://pbx.example.com:5001/webclient/", "without a path"),
    ("https://pbx.example.com:5001/?x=1", "without a path"),
    ("http://pbx.example.com:5001", "allow_http"),
])
def test_urls_that_cannot_be_right_fail_before_any_request(pbx, run_module, url, message):
    result = run_module(main, {"id": 42, "url": url})
    assert result["failed"] is True and message in result["msg"]
    assert len(pbx.calls) == 0


def test_plain_http_is_allowed_on_loopback_or_when_asked(run_module):
    with responses.RequestsMock() as mock:
        for base in ("http://127.0.0.1:8090", "http://[::1]:8090", "http://localhost:8090", "http://pbx.example.com"):
            mock.add("POST", base + "/connect/token", json={"access_token": "t", "expires_in": 60})
            mock.add("GET", base + "/xapi/v1/DeviceInfos(42)", status=404)
            extra = {"allow_http": True} if "example" in base else {}
            assert run_module(main, dict({"id": 42, "url": base}, **extra))["changed"] is False


@pytest.mark.parametrize("option, value", [("retries", -1), ("retry_max_delay", 0), ("timeout", 0)])
def test_retry_and_timeout_options_are_checked(pbx, run_module, option, value):
    result = run_module(main, {"id": 42, option: value})
    assert result["failed"] is True and option in result["msg"]
    assert len(pbx.calls) == 0
