"""What the browser tests of the QA console share: the built mock started on
a free port over a copy of the bundled scenarios, and headless Chromium
driven through Debian's chromedriver (selenium-manager never downloads a
browser or a driver).

N4N_MOCK_BIN names the binary; by default the debug build under
CARGO_TARGET_DIR (or ./target)."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
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
    fixtures/, so a test can break a file; stopped by stop()."""

    def __init__(self, scenario="default", extra=()):
        self.dir = Path(tempfile.mkdtemp(prefix="n4n-ui-"))
        for folder in ("scenarios", "fixtures"):
            shutil.copytree(ROOT / folder, self.dir / folder)
        self.scenarios = self.dir / "scenarios"
        url_file = self.dir / "mock.url"
        self.log = open(self.dir / "mock.log", "wb")
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--port", "0", "--url-file", str(url_file),
             "--scenarios-dir", str(self.scenarios), "--scenario", scenario, *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=clean_env())
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


def requested_urls(driver):
    """The URL of every request the page sent since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
