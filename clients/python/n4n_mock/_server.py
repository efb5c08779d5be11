"""Start n4n-mock as a child process and drive its admin API (``/__mock/``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from decimal import Decimal
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence, Union

__all__ = [
    "MockError",
    "MockServer",
    "PostbacksTimeout",
    "VerificationError",
    "find_binary",
]

_LOG_TAIL_LINES = 20
_STOP_GRACE_SECONDS = 5.0
_ADMIN_TIMEOUT_SECONDS = 30.0
_MAX_SETTLE_SECONDS = 60.0
_TOKEN_VARIABLE = "N4N_MOCK_ADMIN_TOKEN"
_TOKEN_FILE_VARIABLE = "N4N_MOCK_ADMIN_TOKEN_FILE"

Expectation = Dict[str, Any]


class MockError(Exception):
    """An admin call failed, or the server could not be started.

    ``status`` is the HTTP status (``None`` when there was no answer),
    ``kind`` the ``X-Mock-Error`` header and ``body`` the parsed answer.
    """

    def __init__(
        self,
        message: str,
        status: Optional[int] = None,
        kind: Optional[str] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.body = body


class VerificationError(AssertionError):
    """``verify()`` found unmet expectations; ``failures`` holds the server's report."""

    def __init__(self, message: str, failures: List[Dict[str, Any]]) -> None:
        super().__init__(message)
        self.failures = failures


class PostbacksTimeout(TimeoutError):
    """Fewer postbacks than asked for settled in time; ``postbacks`` is the log as it stood."""

    def __init__(self, message: str, postbacks: List[Dict[str, Any]]) -> None:
        super().__init__(message)
        self.postbacks = postbacks


def find_binary() -> str:
    """The n4n-mock executable: ``N4N_MOCK_BIN``, else the one installed with
    this package (the interpreter's scripts folder, then the user scheme's, then
    ``bin/`` beside a ``pip install --target`` folder), else ``PATH``."""
    override = os.environ.get("N4N_MOCK_BIN")
    if override:
        return override
    exe = "n4n-mock" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", exe))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(exe)
    if found:
        return found
    raise MockError(
        "n4n-mock executable not found: set N4N_MOCK_BIN, or install the n4n-mock "
        "wheel (looked in " + ", ".join(candidates) + " and PATH)"
    )


# Admin calls go straight to the mock on loopback, never through a proxy
# that HTTP_PROXY or the like may name.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _Answer:
    def __init__(self, status: int, headers: Mapping[str, str], raw: bytes) -> None:
        self.status = status
        self.kind = headers.get("X-Mock-Error")
        try:
            self.body: Any = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self.body = raw.decode("utf-8", "replace")

    @property
    def message(self) -> str:
        if isinstance(self.body, dict) and "message" in self.body:
            return str(self.body["message"])
        return str(self.body)


class MockServer:
    """An n4n-mock server run as a child process, on a free port.

    ::

        with MockServer(scenario="locked") as mock:
            ...  # point the code under test at mock.url
            mock.verify({"status": 401, "count": 1})

    ``scenario`` and ``scenarios_dir`` become ``--scenario`` and
    ``--scenarios-dir``; ``args`` are extra ``serve`` arguments; ``env`` is
    added to this process's environment for the child.

    ``admin_token`` makes the server ask every admin call for
    ``Authorization: Bearer <token>``: it reaches the child as
    ``N4N_MOCK_ADMIN_TOKEN`` (never on its command line) and every admin call
    of this object sends it. Without it, a token the child gets anyway
    (``N4N_MOCK_ADMIN_TOKEN``, or the file ``N4N_MOCK_ADMIN_TOKEN_FILE``
    names, in this process's environment or ``env``) is sent the same way.
    """

    def __init__(
        self,
        scenario: Optional[str] = None,
        scenarios_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
        args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
        start_timeout: float = 10.0,
        admin_token: Optional[str] = None,
    ) -> None:
        if admin_token is not None:
            _check_token(admin_token, "admin_token")
        self.scenario = scenario
        self.scenarios_dir = scenarios_dir
        self.args = tuple(args)
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.admin_token = admin_token
        self._token: Optional[str] = None
        self._url: Optional[str] = None
        self._process: Optional["subprocess.Popen[bytes]"] = None
        self._tmpdir: Optional[str] = None
        self._finalizer: Optional[weakref.finalize] = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "MockServer":
        """Start the server and wait until it answers its health check."""
        if self._process is not None:
            return self
        child_env = dict(os.environ)
        child_env.update(self.env)
        if self.admin_token is not None:
            # In the environment, where `ps` does not show it; the server
            # refuses a token and a token file both, so the option wins.
            child_env[_TOKEN_VARIABLE] = self.admin_token
            child_env.pop(_TOKEN_FILE_VARIABLE, None)
        token = _child_token(child_env)
        binary = find_binary()
        tmpdir = tempfile.mkdtemp(prefix="n4n-mock-")
        url_file = os.path.join(tmpdir, "n4n-mock.url")
        log_path = os.path.join(tmpdir, "n4n-mock.log")
        command = [binary, "serve", "--port", "0", "--url-file", url_file]
        if self.scenario is not None:
            command += ["--scenario", self.scenario]
        if self.scenarios_dir is not None:
            command += ["--scenarios-dir", os.fspath(self.scenarios_dir)]
        command += list(self.args)
        log: IO[bytes] = open(log_path, "wb")
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env,
            )
        except OSError as error:
            shutil.rmtree(tmpdir, ignore_errors=True)
            raise MockError("could not run {}: {}".format(binary, error)) from error
        finally:
            log.close()  # the child holds its own descriptor
        self._process = process
        self._tmpdir = tmpdir
        self._token = token
        self._finalizer = weakref.finalize(self, _terminate, process, tmpdir)
        try:
            self._url = self._wait_ready(url_file)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, url_file: str) -> str:
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout
        last_error = "no URL file yet"
        while True:
            code = self._process.poll()
            if code is not None:
                raise MockError(
                    "n4n-mock exited with status {} before it was ready\n{}".format(
                        code, self._log_tail()
                    )
                )
            url = _read_url(url_file)
            if url:
                try:
                    answer = _request("GET", url + "/__mock/health", timeout=1.0)
                    if answer.status == 200:
                        return url
                    last_error = "health check answered {}".format(answer.status)
                except OSError as error:
                    last_error = "health check failed: {}".format(error)
            if time.monotonic() >= deadline:
                raise MockError(
                    "n4n-mock was not ready within {:g} s ({})\n{}".format(
                        self.start_timeout, last_error, self._log_tail()
                    )
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM the server (SIGKILL after 5 s), wait for it, remove its temp dir."""
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._process = None
        self._tmpdir = None
        self._url = None
        self._token = None

    def __enter__(self) -> "MockServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- facts ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, like ``http://127.0.0.1:43817`` (no trailing slash)."""
        if self._url is None:
            raise MockError("the server is not running: call start() first")
        return self._url

    @property
    def pid(self) -> Optional[int]:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def log(self) -> str:
        """What the server printed so far (its listening line and request logs)."""
        if self._tmpdir is None:
            return ""
        try:
            with open(os.path.join(self._tmpdir, "n4n-mock.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self) -> str:
        lines = self.log().splitlines()[-_LOG_TAIL_LINES:]
        return "last lines of its log:\n" + ("\n".join(lines) if lines else "(empty)")

    # -- admin API -----------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        timeout: float = _ADMIN_TIMEOUT_SECONDS,
    ) -> _Answer:
        try:
            return _request(method, self.url + path, body, timeout, self._token)
        except OSError as error:
            detail = ""
            if self._process is not None and self._process.poll() is not None:
                detail = "\nn4n-mock exited with status {}; {}".format(
                    self._process.returncode, self._log_tail()
                )
            raise MockError("{} {}: {}{}".format(method, path, error, detail)) from error

    @staticmethod
    def _fail(method: str, path: str, answer: _Answer, what: str = "") -> MockError:
        return MockError(
            "{} {}{}: {} {}: {}".format(
                method, path, what, answer.status, answer.kind or "error", answer.message
            ),
            status=answer.status,
            kind=answer.kind,
            body=answer.body,
        )

    def _expect(self, answer: _Answer, status: int, method: str, path: str) -> Any:
        if answer.status != status:
            raise self._fail(method, path, answer)
        return answer.body

    def reset(self) -> None:
        """Restore every scenario's data, counters and postbacks; clear the journal."""
        for method, path in (("POST", "/__mock/reset"), ("DELETE", "/__mock/requests")):
            self._expect(self._call(method, path), 200, method, path)

    def use(self, name: str) -> Dict[str, Any]:
        """Make scenario ``name`` the active one; returns ``{"active":..., "previous":...}``."""
        path = "/__mock/scenario"
        answer = self._call("PUT", path, {"name": name})
        if answer.status != 200:
            raise self._fail("PUT", path, answer, " (scenario {!r})".format(name))
        return answer.body  # type: ignore[no-any-return]

    def _paged(self, path: str, key: str) -> List[Dict[str, Any]]:
        entries: List[Dict[str, Any]] = []
        after = 0
        while True:
            page_path = "{}?after={}".format(path, after)
            page = self._expect(self._call("GET", page_path), 200, "GET", page_path)
            entries.extend(page[key])
            after = page["next_after"]
            if not page.get("more"):
                return entries

    def requests(self) -> List[Dict[str, Any]]:
        """Every entry of the request journal, oldest first."""
        return self._paged("/__mock/requests", "requests")

    def verify(self, expect: Union[Expectation, Sequence[Expectation]]) -> None:
        """Check call counts (and postbacks); raise :class:`VerificationError` if unmet."""
        expectations = [expect] if isinstance(expect, Mapping) else list(expect)
        path = "/__mock/verify"
        answer = self._call("POST", path, {"expect": expectations})
        if answer.status == 200:
            return
        if answer.status == 422 and isinstance(answer.body, dict) and "failures" in answer.body:
            failures = answer.body["failures"]
            raise VerificationError(_verification_text(answer.message, failures), failures)
        raise self._fail("POST", path, answer)

    def convert(self, click_hash: str, amount: Union[str, int, float, Decimal], **fields: Any) -> Dict[str, Any]:
        """Make a sale (or, with ``trans_type="rebill"``, a rebill) on a click.

        ``fields``: ``payout``, ``trans_type``, ``orderid``, ``subscription_id``,
        ``scenario``. Returns ``{"result":"success","transaction_hash":...,"postbacks":[...]}``.
        """
        body: Dict[str, Any] = {"click_hash": click_hash, "amount": amount}
        body.update(fields)
        for key, value in body.items():
            if isinstance(value, Decimal):
                body[key] = str(value)
        path = "/__mock/conversions"
        return self._expect(self._call("POST", path, body), 201, "POST", path)  # type: ignore[no-any-return]

    def postbacks(self, settled: Optional[int] = None, timeout: float = 5.0) -> List[Dict[str, Any]]:
        """The active scenario's postback log; with ``settled=N``, once N have settled.

        Raises :class:`PostbacksTimeout` if fewer than N settle within ``timeout``
        seconds (at most 60).
        """
        if settled is None:
            return self._paged("/__mock/postbacks", "postbacks")
        if not 0 <= timeout <= _MAX_SETTLE_SECONDS:
            raise ValueError("timeout must be between 0 and 60 seconds, not {!r}".format(timeout))
        path = "/__mock/postbacks?" + urllib.parse.urlencode(
            {"settled": settled, "timeout": "{}ms".format(int(round(timeout * 1000)))}
        )
        answer = self._call("GET", path, timeout=timeout + _ADMIN_TIMEOUT_SECONDS)
        if answer.status == 200:
            return answer.body["postbacks"]  # type: ignore[no-any-return]
        if answer.status == 504 and answer.kind == "settle-timeout":
            records = answer.body.get("postbacks", []) if isinstance(answer.body, dict) else []
            raise PostbacksTimeout(_settle_text(settled, timeout, records), records)
        raise self._fail("GET", path, answer)

    def __repr__(self) -> str:
        state = self._url if self._url else "not running"
        return "<MockServer {} pid={}>".format(state, self.pid)


def _terminate(process: "subprocess.Popen[bytes]", tmpdir: str) -> None:
    try:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _read_url(url_file: str) -> Optional[str]:
    try:
        with open(url_file, encoding="utf-8") as f:
            return f.read().strip().rstrip("/") or None
    except OSError:
        return None


def _check_token(token: str, origin: str) -> None:
    """Refuse a token no HTTP header can carry as it is (never showing it)."""
    if not isinstance(token, str):
        raise TypeError("{} must be a string, not {}".format(origin, type(token).__name__))
    if not token:
        raise ValueError("{} must not be empty".format(origin))
    if not all("!" <= char <= "~" for char in token):
        raise ValueError(
            "{} must be printable ASCII without spaces: it goes in an HTTP header".format(origin)
        )


def _child_token(env: Mapping[str, str]) -> Optional[str]:
    """The admin token the server will read from ``env``, if any.

    An empty or unreadable one is left to the server, which refuses it
    at start with its own message.
    """
    token = env.get(_TOKEN_VARIABLE)
    origin = _TOKEN_VARIABLE
    if token is None and env.get(_TOKEN_FILE_VARIABLE):
        origin = "the file {} names".format(_TOKEN_FILE_VARIABLE)
        try:
            with open(env[_TOKEN_FILE_VARIABLE], encoding="utf-8") as f:
                token = f.read()
        except (OSError, ValueError):
            return None
        # As the server does: the one line ending a file usually has goes.
        token = token[:-1] if token.endswith("\n") else token
        token = token[:-1] if token.endswith("\r") else token
    if not token:
        return None
    try:
        _check_token(token, "the admin token ({})".format(origin))
    except ValueError as error:
        raise MockError(str(error)) from None
    return token


def _request(
    method: str,
    url: str,
    body: Any = None,
    timeout: float = _ADMIN_TIMEOUT_SECONDS,
    token: Optional[str] = None,
) -> _Answer:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return _Answer(error.code, error.headers, error.read())


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _verification_text(message: str, failures: List[Dict[str, Any]]) -> str:
    lines = [message]
    for failure in failures:
        lines.append(
            "expectation {}: {}: matched {}".format(
                failure.get("index"), _compact(failure.get("expected")), failure.get("actual")
            )
        )
        nearest = failure.get("nearest") or []
        if not nearest:
            lines.append("  no near miss to show")
        for near in nearest:
            differs = ", ".join(near.get("differs") or []) or "nothing"
            if "request" in near:
                entry = near["request"]
                summary = "{} {} {}={} -> {} {} (seq {})".format(
                    entry.get("method"),
                    entry.get("path"),
                    entry.get("parameter"),
                    entry.get("value"),
                    entry.get("status"),
                    entry.get("outcome"),
                    entry.get("seq"),
                )
            else:
                entry = near.get("postback", {})
                summary = "postback seq {} target={} event={} -> {}".format(
                    entry.get("seq"), entry.get("target"), entry.get("event"), entry.get("state")
                )
            lines.append("  nearest (differs in {}): {}".format(differs, summary))
            lines.append("    " + _compact(entry))
    return "\n".join(lines)


_SETTLED_STATES = ("delivered", "failed", "dropped")


def _settle_text(wanted: int, timeout: float, records: List[Dict[str, Any]]) -> str:
    settled = sum(1 for record in records if record.get("state") in _SETTLED_STATES)
    lines = [
        "{} of {} postbacks settled within {:g} s ({} in the log)".format(
            settled, wanted, timeout, len(records)
        )
    ]
    for record in records:
        lines.append(
            "  seq {} target={} event={} state={}".format(
                record.get("seq"), record.get("target"), record.get("event"), record.get("state")
            )
        )
    return "\n".join(lines)
