"""MockServer against the packaged n4n-mock binary (nothing set N4N_MOCK_BIN)."""

from __future__ import annotations

import os
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

import n4n_mock
from n4n_mock import MockError, MockServer, PostbacksTimeout, VerificationError
from conftest import EXAMPLE_CLICK, admin_call, alive, lookup, mock_children

ADMIN_TOKEN = "t0ken-for-the-admin-api.7f3a9c"
ADMIN_TOKEN_REFUSED = {"result": "error", "message": "Missing or invalid admin token"}

LOOKUP_OK = {
    "path": "/api/transaction/click_detail",
    "value": EXAMPLE_CLICK,
    "status": 200,
    "count": 1,
}


def test_the_installed_package_and_its_binary_are_used() -> None:
    assert "N4N_MOCK_BIN" not in os.environ
    site = Path(sysconfig.get_path("purelib")).resolve()
    assert Path(n4n_mock.__file__).resolve().is_relative_to(site)
    binary = n4n_mock.find_binary()
    assert Path(binary) == Path(sysconfig.get_path("scripts")) / "n4n-mock"


def test_start_then_the_api_pages_example_answers_200() -> None:
    with MockServer() as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        assert not mock.url.endswith("/")
        status, body = lookup(mock.url)
        assert status == 200
        assert body["result"] == "success"
        assert body["click"]["click_hash"] == EXAMPLE_CLICK
        assert body["transactions"][0]["transaction_hash"] == "ac35ffba0fc0007.24591976"


def test_use_locked_gives_401_and_an_unknown_name_is_an_error() -> None:
    with MockServer() as mock:
        switched = mock.use("locked")
        assert switched["active"] == "locked"
        assert switched["previous"] == "default"
        assert lookup(mock.url)[0] == 401
        with pytest.raises(MockError, match="no-such-scenario") as raised:
            mock.use("no-such-scenario")
        assert raised.value.status == 400
        assert raised.value.kind == "unknown-scenario"
        assert "Unknown scenario: no-such-scenario" in str(raised.value)


def test_reset_empties_the_journal_and_restores_the_data() -> None:
    with MockServer() as mock:
        before = lookup(mock.url)[1]["transactions"]
        sale = mock.convert(EXAMPLE_CLICK, "29.95", orderid="ORD-RESET")
        after = lookup(mock.url)[1]["transactions"]
        assert [t["transaction_hash"] for t in after][-1] == sale["transaction_hash"]
        assert len(after) == len(before) + 1
        assert len(mock.requests()) == 2

        mock.reset()

        assert mock.requests() == []
        assert lookup(mock.url)[1]["transactions"] == before


def test_requests_lists_the_journal_oldest_first() -> None:
    with MockServer() as mock:
        lookup(mock.url)
        lookup(mock.url, "35b71a300115be9.1673898")
        entries = mock.requests()
        assert [(e["seq"], e["status"], e["outcome"]) for e in entries] == [
            (1, 200, "click"),
            (2, 404, "not_found"),
        ]


def test_verify_passes_after_exactly_one_lookup() -> None:
    with MockServer() as mock:
        lookup(mock.url)
        mock.verify([LOOKUP_OK, {"status": 401, "at_most": 0}])
        mock.verify(LOOKUP_OK)  # a single expectation is a one-item list


def test_a_failed_verify_shows_the_expectation_and_the_nearest_miss() -> None:
    with MockServer() as mock:
        lookup(mock.url, "35b71a300115be9.1673898")
        with pytest.raises(VerificationError) as raised:
            mock.verify([{"status": 404, "count": 1}, LOOKUP_OK])
        error = raised.value
        assert isinstance(error, AssertionError)
        text = str(error)
        assert text.startswith("1 of 2 expectations not met")
        assert (
            'expectation 1: {"path":"/api/transaction/click_detail",'
            '"value":"35b71a300115be9.16738986","status":200,"count":1}: matched 0'
        ) in text
        assert "nearest (differs in " in text and "value" in text
        assert (
            "GET /api/transaction/click_detail transaction_hash=35b71a300115be9.1673898"
            " -> 404 not_found (seq 1)"
        ) in text
        assert '"outcome":"not_found"' in text  # the entry itself
        assert error.failures[0]["index"] == 1 and error.failures[0]["actual"] == 0


def test_an_invalid_expectation_is_a_plain_error() -> None:
    with MockServer() as mock:
        with pytest.raises(MockError, match="Invalid expectation") as raised:
            mock.verify([{"count": 1, "at_most": 2}])
        assert not isinstance(raised.value, AssertionError)
        assert raised.value.kind == "invalid-expectation"


def test_a_conversion_posts_back_to_the_receiver(receiver) -> None:
    with MockServer(scenario="postbacks", env={"N4N_MOCK_RECEIVER": receiver.url}) as mock:
        sale = mock.convert(click_hash="b0ca1c0de000001.20000001", amount="29.95")
        assert sale["result"] == "success"
        assert sale["postbacks"] == [1, 2]

        settled = mock.postbacks(settled=2)

        assert sorted((p["target"], p["state"]) for p in settled) == [
            ("pixel", "delivered"),
            ("server", "delivered"),
        ]
        assert [p["seq"] for p in mock.postbacks()] == [1, 2]
        calls = sorted(receiver.calls, key=lambda c: c["method"])
        assert [c["method"] for c in calls] == ["GET", "POST"]
        assert calls[0]["path"].startswith("/pixel?event=sale&seq=1&")
        assert calls[1]["path"] == "/postback"
        assert "amount=29.95" in calls[1]["body"]
        mock.verify([{"postback": {"event": "sale", "state": "delivered"}, "count": 2}])


def test_a_conversion_on_an_unknown_click_is_an_error() -> None:
    with MockServer() as mock:
        with pytest.raises(MockError, match="Click not found") as raised:
            mock.convert("ffffffffffffff0.00000000", "1.00")
        assert raised.value.status == 404


def test_waiting_for_postbacks_that_never_settle_times_out(receiver) -> None:
    with MockServer(scenario="postbacks", env={"N4N_MOCK_RECEIVER": receiver.url}) as mock:
        with pytest.raises(PostbacksTimeout, match="0 of 1 postbacks settled") as raised:
            mock.postbacks(settled=1, timeout=0.2)
        assert isinstance(raised.value, TimeoutError)
        assert raised.value.postbacks == []


def test_stop_leaves_no_process_behind_and_is_idempotent() -> None:
    mock = MockServer().start()
    pid = mock.pid
    assert pid is not None and alive(pid)
    mock.stop()
    assert not alive(pid)
    assert pid not in mock_children()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    mock.stop()
    assert mock.pid is None


def test_two_servers_at_once_get_two_ports() -> None:
    with MockServer() as first, MockServer(scenario="locked") as second:
        assert first.url != second.url
        assert lookup(first.url)[0] == 200
        assert lookup(second.url)[0] == 401


def test_an_unknown_scenario_fails_with_the_servers_message_and_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = mock_children()
    with pytest.raises(MockError) as raised:
        MockServer(scenario="no-such-scenario").start()
    message = str(raised.value)
    assert "exited with status 2" in message
    assert "no-such-scenario" in message
    assert "last lines of its log" in message
    assert mock_children() == before
    assert list(tmp_path.iterdir()) == []  # its temp dir is gone too


def test_with_an_admin_token_every_operation_works(receiver) -> None:
    env = {"N4N_MOCK_RECEIVER": receiver.url}
    with MockServer(scenario="postbacks", env=env, admin_token=ADMIN_TOKEN) as mock:
        sale = mock.convert(click_hash="b0ca1c0de000001.20000001", amount="29.95")
        assert sale["postbacks"] == [1, 2]
        assert {p["state"] for p in mock.postbacks(settled=2)} == {"delivered"}
        assert [p["seq"] for p in mock.postbacks()] == [1, 2]
        mock.verify([{"postback": {"event": "sale", "state": "delivered"}, "count": 2}])

        mock.reset()
        assert mock.postbacks() == []
        assert mock.use("default") == {"result": "success", "active": "default", "previous": "postbacks"}
        assert lookup(mock.url)[0] == 200
        assert [e["value"] for e in mock.requests()] == [EXAMPLE_CLICK]
        mock.verify(LOOKUP_OK)
        with pytest.raises(VerificationError, match="matched 1"):
            mock.verify(dict(LOOKUP_OK, count=2))
        mock.reset()
        assert mock.requests() == []


def test_with_an_admin_token_a_call_without_it_gets_401() -> None:
    with MockServer(admin_token=ADMIN_TOKEN) as mock:
        for token in (None, "not-the-token"):
            for method, path in (("GET", "/__mock/requests"), ("POST", "/__mock/reset")):
                status, headers, body = admin_call(mock.url, method, path, token)
                assert status == 401, (method, path, token)
                assert headers["WWW-Authenticate"] == "Bearer"
                assert headers["X-Mock-Error"] == "admin-token"
                assert body == ADMIN_TOKEN_REFUSED
        status, _, body = admin_call(mock.url, token=ADMIN_TOKEN)
        assert (status, body["requests"]) == (200, [])
        status, _, body = admin_call(mock.url, path="/__mock/health")
        assert (status, body["status"]) == (200, "ok")


def test_the_admin_token_is_not_on_the_command_line_nor_in_the_log() -> None:
    with MockServer(admin_token=ADMIN_TOKEN) as mock:
        with open("/proc/{}/cmdline".format(mock.pid), "rb") as f:
            cmdline = f.read()
        assert b"serve" in cmdline
        assert ADMIN_TOKEN.encode() not in cmdline
        with open("/proc/{}/environ".format(mock.pid), "rb") as f:
            assert b"N4N_MOCK_ADMIN_TOKEN=" + ADMIN_TOKEN.encode() in f.read().split(b"\0")
        mock.reset()
        mock.use("locked")
        lookup(mock.url)
        mock.requests()
        mock.verify({"status": 401, "count": 1})
        assert admin_call(mock.url, token="not-the-token")[0] == 401
        assert admin_call(mock.url)[0] == 401
        deadline = time.monotonic() + 5  # the log is written in the background
        while mock.log().count("status=401") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        log = mock.log()
        assert log.count("status=401") == 3, log  # the locked lookup, then the two refused calls
        assert ADMIN_TOKEN not in log
        assert "not-the-token" not in log


def test_a_token_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N4N_MOCK_ADMIN_TOKEN", ADMIN_TOKEN)
    with MockServer() as mock:
        assert admin_call(mock.url)[0] == 401
        assert lookup(mock.url)[0] == 200
        assert len(mock.requests()) == 1
        mock.reset()
    monkeypatch.delenv("N4N_MOCK_ADMIN_TOKEN")
    with MockServer(env={"N4N_MOCK_ADMIN_TOKEN": ADMIN_TOKEN}) as mock:
        assert admin_call(mock.url)[0] == 401
        assert mock.use("locked")["active"] == "locked"
        mock.reset()


def test_a_token_file_in_the_environment_is_used_and_the_option_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text(ADMIN_TOKEN + "\n")
    monkeypatch.setenv("N4N_MOCK_ADMIN_TOKEN_FILE", str(token_file))
    with MockServer() as mock:
        assert admin_call(mock.url)[0] == 401
        assert admin_call(mock.url, token=ADMIN_TOKEN)[0] == 200
        assert mock.requests() == []
    monkeypatch.setenv("N4N_MOCK_ADMIN_TOKEN", "from-the-environment")
    monkeypatch.delenv("N4N_MOCK_ADMIN_TOKEN_FILE")
    with MockServer(admin_token="from-the-option", env={"N4N_MOCK_ADMIN_TOKEN_FILE": str(token_file)}) as mock:
        assert admin_call(mock.url, token="from-the-option")[0] == 200
        assert admin_call(mock.url, token="from-the-environment")[0] == 401
        assert admin_call(mock.url, token=ADMIN_TOKEN)[0] == 401
        mock.reset()


def test_an_admin_token_no_header_can_carry_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    before = mock_children()
    for token in ("", "two words", "line\r\nX-Injected: 1", "caf\u00e9"):
        with pytest.raises(ValueError, match="admin_token must"):
            MockServer(admin_token=token)
    monkeypatch.setenv("N4N_MOCK_ADMIN_TOKEN", "two words")
    with pytest.raises(MockError, match="N4N_MOCK_ADMIN_TOKEN") as raised:
        MockServer().start()
    assert "two words" not in str(raised.value)
    monkeypatch.setenv("N4N_MOCK_ADMIN_TOKEN", "")  # the server's own refusal
    with pytest.raises(MockError, match="the admin token is empty"):
        MockServer().start()
    assert mock_children() == before
