"""What the browser tests of the QA console share: the built mock started on
a free port over a copy of the bundled scenarios, headless Chromium driven
through Debian's chromedriver (selenium-manager never downloads a browser or
a driver), and the two ends a postback can meet: a receiver that answers 200
and a port that refuses.

N4N_MOCK_BIN names the binary; by default the debug build under
CARGO_TARGET_DIR (or ./target)."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_LIMIT_S = 10


def binary():
    named = os.environ.get("N4N_MOCK_BIN")
    if named:
        return Path(named)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "n4n-mock"


class Mock:
    """`n4n-mock serve --port 0` over a temporary copy of scenarios/ and
    fixtures/, so a test can break a file, with `files` ({file name: text})
    added to the scenarios and `env` ({name: value}) added to its
    environment; stopped by stop()."""

    def __init__(self, scenario="default", extra=(), files=None, env=None):
        self.dir = Path(tempfile.mkdtemp(prefix="n4n-ui-"))
        for folder in ("scenarios", "fixtures"):
            shutil.copytree(ROOT / folder, self.dir / folder)
        self.scenarios = self.dir / "scenarios"
        for name, text in (files or {}).items():
            (self.scenarios / name).write_text(text)
        url_file = self.dir / "mock.url"
        self.log = open(self.dir / "mock.log", "wb")
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--port", "0", "--url-file", str(url_file),
             "--scenarios-dir", str(self.scenarios), "--scenario", scenario, *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env={**clean_env(), **(env or {})})
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            text = url_file.read_text().strip() if url_file.exists() else ""
            if text:
                self.url = text.rstrip("/")
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the mock did not start: "
                                   + (self.dir / "mock.log").read_text(errors="replace"))
            time.sleep(0.02)

    def get(self, path):
        return request("GET", self.url + path)

    def send(self, method, path, body=None, headers=None):
        return request(method, self.url + path, body, headers)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def clean_env():
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("N4N_MOCK_"):
            del env[name]
    return env


def request(method, url, body=None, headers=None):
    """(status, parsed JSON or text) of one request."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def chromium(width=1280, height=800):
    """Headless Chromium with its console and network logs on, and nothing
    of its own sent anywhere (no sync, no updates, no background fetches)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="n4n-ui-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--disable-default-apps", "--disable-extensions",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.profile_dir = profile
    viewport(driver, width, height)
    return driver


def viewport(driver, width, height, mobile=False):
    """Sets the page's viewport to exactly width x height CSS pixels."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def quit_chromium(driver):
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


class OneBrowser(unittest.TestCase):
    """A test class whose tests share one headless Chromium, started once."""

    @classmethod
    def setUpClass(cls):
        cls.driver = chromium()

    @classmethod
    def tearDownClass(cls):
        quit_chromium(cls.driver)


def requested_urls(driver):
    """The URL of every request the page sent since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


# -- postbacks --------------------------------------------------------------

POSTBACKS_SCENARIO = "ui-postbacks"


def postbacks_scenario(receiver_url, refused_url):
    """The text of a scenario file (for Mock's `files`, as
    POSTBACKS_SCENARIO + ".yaml") with the API page's example click and two
    postback targets, each taking every event: `receiver`, a GET to
    receiver_url, and `refused`, a form POST to refused_url, tried once with
    a short timeout."""
    return f"""\
description: Postbacks for the console's browser tests, to a receiver the test started and to a port that refuses.
credentials:
  - username: n4n_admin
    api_key: 44b5498dbcb481a0d00b404c0169af62
include:
  - ../fixtures/api-page-example.yaml
postbacks:
  - name: receiver
    url: "{receiver_url}/n4n?tx=%%transaction_hash%%&type=%%event%%&seq=%%seq%%"
    method: GET
    timeout: 2s
    retry: []
  - name: refused
    url: "{refused_url}/n4n"
    method: POST
    timeout: 200ms
    retry: []
"""


@dataclass
class Received:
    """One request the receiver got, with when (time.monotonic()) it came."""
    at: float
    method: str
    path: str
    headers: dict
    body: str


class Receiver:
    """An HTTP server on 127.0.0.1, on a port the system picks, in a thread:
    it answers every GET and POST with 200 `ok` and keeps each request as
    `received`, noting the time before it answers. Stopped by stop()."""

    def __init__(self):
        self.received = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode(errors="replace")
                with receiver.arrived:
                    receiver.received.append(Received(time.monotonic(), self.command, self.path,
                                                      dict(self.headers), body))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = answer
            do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count, limit):
        """The first `count` requests, once they have come; AssertionError
        after `limit` seconds."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, limit):
                raise AssertionError(f"the receiver got {len(self.received)} of {count} requests "
                                     f"within {limit} s")
            return self.received[:count]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class RefusingPort:
    """A port on 127.0.0.1 bound but never listening: the system refuses
    every connection to it, and no other program can take it meanwhile."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self):
        self.socket.close()
