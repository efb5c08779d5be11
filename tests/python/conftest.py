"""Shared helpers for the tests of the installed n4n_mock package."""

from __future__ import annotations

import http.server
import json
import os
import threading
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest

pytest_plugins = ["pytester"]

EXAMPLE_CLICK = "35b71a300115be9.16738986"
CREDENTIALS = {"api-key": "44b5498dbcb481a0d00b404c0169af62", "api-username": "n4n_admin"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def lookup(base_url: str, click_hash: str = EXAMPLE_CLICK) -> Tuple[int, Any]:
    """GET click_detail as the API page's example does: (status, parsed body)."""
    request = urllib.request.Request(
        base_url + "/api/transaction/click_detail?transaction_hash=" + click_hash,
        headers=CREDENTIALS,
    )
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def admin_call(
    base_url: str, method: str = "GET", path: str = "/__mock/requests", token: Optional[str] = None
) -> Tuple[int, Mapping[str, str], Any]:
    """A plain admin API call, with ``Authorization: Bearer token`` when given:
    (status, headers, parsed body)."""
    request = urllib.request.Request(base_url + path, method=method)
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read() or b"null")


def alive(pid: int) -> bool:
    """Whether a process (not a zombie) has this id."""
    try:
        with open("/proc/{}/stat".format(pid)) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def mock_children() -> List[int]:
    """The ids of this process's n4n-mock children, zombies included."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/{}/stat".format(entry)) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and comm.startswith("n4n-mock"):
            found.append(int(entry))
    return found


class Receiver:
    """A tiny postback receiver on a free port: answers 200 and records each call."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        calls = self.calls

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                calls.append({"method": self.command, "path": self.path, "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()
