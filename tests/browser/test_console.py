"""The QA console (/__mock/ui) in headless Chromium, against the built mock.

Run: .venv-browser/bin/python -m unittest discover -s tests/browser -v
(after `cargo build`; see README, "QA console")."""

import json
import re
from datetime import datetime, timezone
import subprocess
import time
import unittest

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from harness import Mock, OneBrowser, requested_urls, viewport

USERNAME = "n4n_admin"
API_KEY = "44b5498dbcb481a0d00b404c0169af62"
EXAMPLE_CLICK = "35b71a300115be9.16738986"
# The scenarios' own keys: `locked`'s rotated one, `default`'s second pair.
LOCKED_KEY = "rotated-00000000000000000000000000"
QA_TESTER_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
LIFECYCLE_CLICK = "a1c0ffee0000001.10000001"
LIFECYCLE_SALE = "a1c0ffee0000002.10000002"
WAIT_S = 5
# RFC 3339 in UTC to the second, as the console shows a lifecycle event's time.
RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class Console(OneBrowser):
    """One browser for every test; a fresh mock, and a fresh page, per test."""

    def setUp(self):
        self.mock = Mock()
        self.addCleanup(self.mock.stop)
        self.open_console()

    def open_console(self):
        driver = self.driver
        driver.get(self.mock.url + "/__mock/ui")
        driver.execute_script("sessionStorage.clear(); localStorage.clear();")
        driver.refresh()
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-scenario]"), "scenario rows")
        # Each test reads only the logs of its own page.
        driver.get_log("browser")
        driver.get_log("performance")

    # -- helpers --

    def wait_for(self, check, what, limit=WAIT_S):
        # The page redraws its rows as it polls: an element read mid-redraw is looked up again.
        return WebDriverWait(self.driver, limit, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,
                                                 NoSuchElementException)).until(
            check, message=f"not within {limit} s: {what}")

    def scenario_row(self, name):
        return self.driver.find_element(By.CSS_SELECTOR, f'li[data-scenario="{name}"]')

    def button(self, text, within=None):
        root = within or self.driver
        found = [b for b in root.find_elements(By.TAG_NAME, "button") if b.text == text]
        self.assertEqual(len(found), 1, f"one <button> {text!r}")
        return found[0]

    def make_active(self, name):
        """Clicks the row's Make active; the row may be redrawn between
        finding and clicking, so a stale one is found again."""
        def click(_driver):
            self.button("Make active", self.scenario_row(name)).click()
            return True
        self.wait_for(click, f"a click on Make active of {name}")
        self.wait_for(lambda d: self.scenario_row(name).get_attribute("data-active") == "true",
                      f"{name} marked active")

    def curl(self, *args):
        done = subprocess.run(["curl", "-sS", *args], capture_output=True, text=True, check=True)
        return done.stdout

    def try_request(self, action, params=(), username=USERNAME, key=API_KEY):
        driver = self.driver
        Select(driver.find_element(By.ID, "try-action")).select_by_value(action)
        for field in ("try-username", "try-key"):
            driver.find_element(By.ID, field).clear()
        driver.find_element(By.ID, "try-username").send_keys(username)
        driver.find_element(By.ID, "try-key").send_keys(key)
        return self.send_try(params)

    def send_try(self, params=()):
        """Fills the parameters and sends, with the credentials as the fields hold them."""
        driver = self.driver
        for name, value in params:
            field = driver.find_element(By.ID, f"param-{name}")
            field.clear()
            field.send_keys(value)
        driver.execute_script("document.getElementById('try-result').hidden = true")
        self.button("Send").click()
        self.wait_for(lambda d: d.find_element(By.ID, "try-result").is_displayed(), "an answer")
        return (driver.find_element(By.ID, "try-status").text,
                driver.find_element(By.ID, "try-body").text)

    def lookup_in_page(self):
        status, body = self.try_request("click_detail", [("transaction_hash", LIFECYCLE_CLICK)])
        self.assertTrue(status.startswith("200"), status)
        return json.loads(body)

    # -- the page --

    def test_the_page_loads_with_no_console_error_and_no_other_origin(self):
        self.driver.refresh()
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-scenario]"), "scenario rows")
        time.sleep(1.5)  # a few polls of every kind

        errors = [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        urls = requested_urls(self.driver)

        self.assertEqual(errors, [])
        self.assertIn(self.mock.url + "/__mock/ui/app.js", urls)
        self.assertIn(self.mock.url + "/__mock/ui/style.css", urls)
        elsewhere = [u for u in urls if not (u.startswith(self.mock.url + "/") or u.startswith("data:"))]
        self.assertEqual(elsewhere, [])

    def test_every_scenario_row_carries_its_hooks(self):
        _, loaded = self.mock.get("/__mock/scenario")

        rows = self.driver.find_elements(By.CSS_SELECTOR, "li[data-scenario]")
        active = self.driver.find_elements(By.CSS_SELECTOR, 'li[data-scenario][data-active="true"]')

        self.assertEqual([r.get_attribute("data-scenario") for r in rows],
                         [s["name"] for s in loaded["scenarios"]])
        self.assertEqual([r.get_attribute("data-scenario") for r in active], [loaded["active"]])
        for row in rows:
            self.assertEqual(self.button("Make active", row).tag_name, "button")
        self.button("Reload")
        self.button("Reset")
        lifecycle = self.scenario_row("lifecycle").text
        self.assertIn("Clicks to void, charge back", lifecycle)
        for label in ("clicks", "transactions", "events", "requests", "faults", "rate limited"):
            self.assertIn(label, lifecycle)

    def test_make_active_changes_the_active_scenario(self):
        self.make_active("empty")

        self.wait_for(lambda d: self.mock.get("/__mock/scenario")[1]["active"] == "empty",
                      "GET /__mock/scenario says empty")
        self.assertIsNone(self.scenario_row("default").get_attribute("data-active"))

    def test_make_active_works_from_the_keyboard(self):
        button = self.button("Make active", self.scenario_row("locked"))

        button.send_keys(Keys.SPACE)

        self.wait_for(lambda d: self.mock.get("/__mock/scenario")[1]["active"] == "locked",
                      "GET /__mock/scenario says locked")

    def test_every_field_has_a_label(self):
        fields = self.driver.find_elements(By.CSS_SELECTOR, "input, select")
        labelled = self.driver.execute_script(
            "return [...document.querySelectorAll('input, select')]"
            ".filter(f => f.labels && f.labels.length > 0).length")

        self.assertGreater(len(fields), 5)
        self.assertEqual(labelled, len(fields))

    # -- the header --

    def active_in_header(self):
        shown = self.driver.find_element(By.ID, "active-scenario")
        return shown.get_attribute("data-scenario"), shown.text

    def test_the_header_names_the_active_scenario(self):
        self.wait_for(lambda d: self.active_in_header()[0] == "default", "default in the header")

        self.assertEqual(self.active_in_header(), ("default", "Active scenario: default"))
        self.assertTrue(self.driver.find_element(By.ID, "active-scenario").is_displayed())

    def test_the_header_follows_a_scenario_made_active_in_the_console(self):
        self.make_active("lifecycle")

        self.wait_for(lambda d: self.active_in_header() == ("lifecycle", "Active scenario: lifecycle"),
                      "lifecycle in the header")

    def test_the_header_follows_a_scenario_made_active_through_the_admin_api(self):
        self.wait_for(lambda d: self.active_in_header()[0] == "default", "default in the header")

        status, _ = self.mock.send("PUT", "/__mock/scenario", json.dumps({"name": "locked"}),
                                   {"Content-Type": "application/json"})

        self.assertEqual(status, 200)
        # The scenarios are read every second.
        self.wait_for(lambda d: self.active_in_header() == ("locked", "Active scenario: locked"),
                      "locked in the header", limit=2.5)
        self.assertEqual(self.scenario_row("locked").get_attribute("data-active"), "true")

    # -- the layout --

    def in_view(self, element):
        """Whether the element's box lies wholly within the window, as drawn
        now (no scrolling)."""
        return self.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.height > 0 && r.top >= 0 && r.left >= 0"
            " && r.bottom <= window.innerHeight && r.right <= window.innerWidth;", element)

    def with_window(self, width, height, mobile=False):
        viewport(self.driver, width, height, mobile)
        self.addCleanup(viewport, self.driver, 1280, 800)
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.assertEqual(self.driver.execute_script("return [innerWidth, innerHeight]"), [width, height])

    def test_at_1280_by_800_the_scenario_list_and_the_journal_show_together(self):
        self.curl(self.mock.url + "/api/service/ping", "-H", f"api-key: {API_KEY}",
                  "-H", f"api-username: {USERNAME}")
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#journal-list details[data-seq]"),
                      "a journal row")
        _, loaded = self.mock.get("/__mock/scenario")

        self.with_window(1280, 800)

        # Every bundled scenario is listed, enough to push the journal down
        # if the list were not laid out to leave it room.
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#scenario-list li[data-scenario]")
        self.assertGreaterEqual(len(loaded["scenarios"]), 11)
        self.assertEqual(len(rows), len(loaded["scenarios"]))
        driver = self.driver
        self.assertTrue(self.in_view(driver.find_element(By.ID, "scenario-list")), "the scenario list")
        self.assertTrue(self.in_view(driver.find_element(By.ID, "scenarios-title")), "its heading")
        self.assertTrue(self.in_view(driver.find_element(By.ID, "journal-title")), "the journal's heading")
        self.assertTrue(self.in_view(driver.find_element(By.CSS_SELECTOR, "#journal-list details[data-seq]")),
                        "the journal's first row")
        self.assertTrue(self.in_view(self.scenario_row("default")), "the active scenario's row")

    def test_on_a_phone_the_panels_stack_and_nothing_is_wider_than_the_window(self):
        self.with_window(390, 844, mobile=True)

        driver = self.driver
        scenarios = driver.find_element(By.ID, "scenarios").rect
        journal = driver.find_element(By.ID, "journal").rect
        self.assertGreaterEqual(journal["y"], scenarios["y"] + scenarios["height"])
        self.assertEqual(journal["x"], scenarios["x"])
        self.assertLessEqual(driver.execute_script("return document.documentElement.scrollWidth"), 390)
        self.assertTrue(self.in_view(driver.find_element(By.ID, "active-scenario")), "the active scenario")

    # -- times --

    def test_a_lifecycle_events_time_shows_as_rfc_3339_with_its_unix_seconds_on_hover(self):
        self.curl("-X", "POST", self.mock.url + "/api/transaction/process_void",
                  "-H", "X-Mock-Scenario: lifecycle", "-H", f"api-key: {API_KEY}",
                  "-H", f"api-username: {USERNAME}", "-d", f"transaction_hash={LIFECYCLE_SALE}")
        _, loaded = self.mock.get("/__mock/scenario")
        seconds = next(s for s in loaded["scenarios"] if s["name"] == "lifecycle")["event_log"][0]["time"]
        expected = datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        shown = self.wait_for(
            lambda d: self.scenario_row("lifecycle").find_element(By.CSS_SELECTOR, ".event-log time"),
            "the event's time")

        self.assertRegex(shown.text, RFC3339_SECONDS)
        self.assertEqual(shown.text, expected)
        self.assertEqual(shown.get_attribute("title"), f"Unix seconds: {seconds}")
        self.assertEqual(shown.get_attribute("datetime"), expected)
        self.assertNotIn(f"at {seconds}", self.scenario_row("lifecycle").text)

    def test_a_journal_rows_time_shows_its_date_and_unix_seconds_on_hover(self):
        self.curl(self.mock.url + "/api/service/ping", "-H", f"api-key: {API_KEY}",
                  "-H", f"api-username: {USERNAME}")
        entry = self.mock.get("/__mock/requests")[1]["requests"][-1]
        at = datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)

        shown = self.wait_for(
            lambda d: d.find_element(By.CSS_SELECTOR, f'details[data-seq="{entry["seq"]}"] summary time'),
            "the row's time")

        self.assertEqual(shown.text, entry["time"][11:-1])
        self.assertEqual(shown.get_attribute("title"),
                         f'{entry["time"]}, Unix seconds: {at.timestamp():.3f}')

    # -- the journal --

    def test_a_request_sent_with_curl_shows_in_the_journal_within_two_seconds(self):
        self.curl("-X", "GET", self.mock.url + "/api/transaction/click_detail",
                  "-H", f"api-key: {API_KEY}", "-H", f"api-username: {USERNAME}",
                  "-d", f"transaction_hash={EXAMPLE_CLICK}")
        seq = self.mock.get("/__mock/requests")[1]["requests"][-1]["seq"]

        row = self.wait_for(
            lambda d: d.find_elements(By.CSS_SELECTOR, f'details[data-seq="{seq}"][data-status="200"]'),
            "the curl request in the journal panel", limit=2)[0]

        self.assertIn("/api/transaction/click_detail", row.text)

    def test_a_journal_row_opens_by_keyboard_with_everything_kept_and_no_api_key(self):
        self.curl(self.mock.url + "/api/service/ping", "-H", f"api-key: {API_KEY}",
                  "-H", f"api-username: {USERNAME}")
        self.curl(self.mock.url + "/api/transaction/click_detail", "-H", "api-key: wrong",
                  "-H", f"api-username: {USERNAME}")
        _, page = self.mock.get("/__mock/requests")
        ping, refused = page["requests"]
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, f'details[data-seq="{refused["seq"]}"]'),
                      "both rows")

        summary = self.driver.find_element(By.CSS_SELECTOR, f'details[data-seq="{ping["seq"]}"] summary')
        summary.send_keys(Keys.ENTER)
        row = self.driver.find_element(By.CSS_SELECTOR, f'details[data-seq="{ping["seq"]}"]')

        self.assertEqual(row.get_attribute("open"), "true")
        shown = row.find_element(By.CSS_SELECTOR, "dl").text
        for name, value in ping.items():
            self.assertIn(name, shown)
            self.assertIn(value if isinstance(value, str) else json.dumps(value), shown)
        self.assertEqual(self.driver.find_element(
            By.CSS_SELECTOR, f'details[data-seq="{refused["seq"]}"]').get_attribute("data-status"), "401")
        self.assertNotIn(API_KEY, self.driver.page_source)
        self.assertNotIn("api-key", shown.lower())

    def test_the_journal_filters_by_path_status_and_scenario(self):
        self.curl(self.mock.url + "/api/service/ping", "-H", f"api-key: {API_KEY}",
                  "-H", f"api-username: {USERNAME}")
        self.curl(self.mock.url + "/api/service/ping", "-H", "X-Mock-Scenario: locked",
                  "-H", f"api-key: {API_KEY}", "-H", f"api-username: {USERNAME}")
        self.curl(self.mock.url + "/api/nowhere")
        self.wait_for(lambda d: len(d.find_elements(By.CSS_SELECTOR, "details[data-seq]")) == 3, "3 rows")

        def shown():
            return [r.get_attribute("data-status")
                    for r in self.driver.find_elements(By.CSS_SELECTOR, "details[data-seq]")
                    if r.is_displayed()]

        self.driver.find_element(By.ID, "filter-path").send_keys("ping")
        self.assertEqual(sorted(shown()), ["200", "401"])
        self.driver.find_element(By.ID, "filter-status").send_keys("4xx")
        self.assertEqual(shown(), ["401"])
        self.driver.find_element(By.ID, "filter-status").clear()
        self.driver.find_element(By.ID, "filter-status").send_keys("2")  # an input event
        self.driver.find_element(By.ID, "filter-status").send_keys(Keys.BACKSPACE)
        Select(self.driver.find_element(By.ID, "filter-scenario")).select_by_value("locked")
        self.assertEqual(shown(), ["401"])

    # -- reset and reload --

    def test_reset_restores_the_lifecycle_state(self):
        self.make_active("lifecycle")
        status, body = self.try_request("process_void", [("transaction_hash", LIFECYCLE_SALE)])
        self.assertTrue(status.startswith("200"), body)
        self.assertEqual(self.lookup_in_page()["transactions"][0]["status"], "void")
        self.wait_for(lambda d: "void of" in self.scenario_row("lifecycle").text, "the event listed")

        self.button("Reset").click()
        self.wait_for(lambda d: "Reset:" in d.find_element(By.ID, "admin-result").text, "Reset's result")

        after = self.lookup_in_page()
        self.assertEqual(after["transactions"][0]["status"], "approved")
        self.assertEqual(len(after["transactions"]), 1)
        self.wait_for(lambda d: "void of" not in self.scenario_row("lifecycle").text, "the event gone")

    def test_a_broken_file_and_reload_show_the_located_problem(self):
        (self.mock.scenarios / "broken.yaml").write_text("description: broken\nclicks: [\n")

        self.button("Reload").click()

        result = self.wait_for(
            lambda d: re.search(r"broken\.yaml:\d+:\d+: \S", d.find_element(By.ID, "admin-result").text),
            "path:line:column: message")
        self.assertIn("Reload failed", self.driver.find_element(By.ID, "admin-result").text)
        self.assertTrue(result)

    def test_a_reload_that_works_says_so(self):
        self.button("Reload").click()

        self.wait_for(lambda d: "Reloaded:" in d.find_element(By.ID, "admin-result").text, "Reload's result")

    # -- try a request --

    def test_try_a_request_sends_what_was_typed(self):
        status, body = self.try_request("click_detail", [("transaction_hash", EXAMPLE_CLICK)])

        self.assertTrue(status.startswith("200"), status)
        self.assertEqual(json.loads(body)["click"]["click_hash"], EXAMPLE_CLICK)
        self.assertIn("content-type: application/json", self.driver.find_element(By.ID, "try-headers").text)
        entry = self.mock.get("/__mock/requests")[1]["requests"][-1]
        self.assertEqual((entry["path"], entry["parameter"], entry["value"]),
                         ("/api/transaction/click_detail", "transaction_hash", EXAMPLE_CLICK))
        sent = [m for m in self.network_requests() if "/api/transaction/click_detail" in m["url"]]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["headers"].get("api-key"), API_KEY)
        self.assertEqual(sent[0]["headers"].get("api-username"), USERNAME)
        self.assertNotIn(API_KEY, sent[0]["url"])
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, f'details[data-seq="{entry["seq"]}"]'),
                      "the request in the journal panel")

    def test_try_a_request_posts_a_form_and_shows_an_error(self):
        self.make_active("lifecycle")

        status, body = self.try_request("process_void", [("transaction_hash", "nope")])

        self.assertTrue(status.startswith("404"), status)
        self.assertEqual(json.loads(body), {"result": "error", "message": "Transaction not found"})
        sent = [m for m in self.network_requests() if "process_void" in m["url"]]
        self.assertEqual(sent[0]["method"], "POST")
        self.assertEqual(sent[0].get("postData"), "transaction_hash=nope")

    def test_try_a_request_carries_an_events_custom_fields(self):
        self.make_active("lifecycle")

        status, _ = self.try_request("process_void", [("transaction_hash", "a1c0ffee0000002.10000002"),
                                                      ("trans_custom1", "qa-run-7")])
        self.assertTrue(status.startswith("200"), status)
        status, body = self.try_request("click_detail", [("transaction_hash", "a1c0ffee0000001.10000001")])

        self.assertTrue(status.startswith("200"), status)
        event = json.loads(body)["transactions"][-1]
        self.assertEqual((event["status"], event["trans_custom1"]), ("void", "qa-run-7"))

    def test_credentials_stay_in_session_storage_only(self):
        self.try_request("ping")

        stored = self.driver.execute_script(
            "return [sessionStorage.getItem('n4n-mock.api-key'), localStorage.length, document.cookie]")

        self.assertEqual(stored, [API_KEY, 0, ""])
        self.assertNotIn(API_KEY, self.driver.current_url)

    def use_scenario_credentials(self, scenario):
        """Presses the button and waits for its note to name `scenario`; the
        fields' (username, key) then."""
        driver = self.driver
        note = driver.find_element(By.ID, "try-credentials-note")
        driver.execute_script("arguments[0].dataset.filledFrom = ''", note)
        self.button("Use the scenario's credentials").click()
        self.wait_for(lambda d: note.get_attribute("data-filled-from") == scenario,
                      f"the credentials of {scenario}")
        return (driver.find_element(By.ID, "try-username").get_property("value"),
                driver.find_element(By.ID, "try-key").get_property("value"))

    def credentials_reads(self):
        return [m for m in self.network_requests() if "/__mock/credentials" in m["url"]]

    def test_the_active_scenarios_credentials_fill_the_fields_and_are_accepted(self):
        self.make_active("locked")
        Select(self.driver.find_element(By.ID, "try-action")).select_by_value("ping")
        time.sleep(1.2)  # a few polls: none of them reads the credentials
        self.assertEqual(self.credentials_reads(), [])

        filled = self.use_scenario_credentials("locked")
        status, body = self.send_try()

        self.assertEqual(filled, (USERNAME, LOCKED_KEY))
        self.assertTrue(status.startswith("200"), f"{status}: {body}")
        self.assertEqual(len(self.credentials_reads()), 1)
        self.assertNotIn(LOCKED_KEY, self.driver.find_element(By.ID, "try-credentials-note").text)
        self.assertEqual(self.driver.execute_script("return sessionStorage.getItem('n4n-mock.api-key')"),
                         LOCKED_KEY)

    def test_the_scenario_picked_in_the_panel_gives_its_credentials_and_again_the_next_pair(self):
        try_scenario = Select(self.driver.find_element(By.ID, "try-scenario"))
        self.wait_for(lambda d: len(try_scenario.options) > 1, "the scenarios in the panel's list")
        try_scenario.select_by_value("locked")

        picked = self.use_scenario_credentials("locked")
        status, _ = self.look_up_as_filled("click_detail")

        self.assertEqual(picked, (USERNAME, LOCKED_KEY))
        self.assertTrue(status.startswith("200"), status)
        sent = self.credentials_reads()
        self.assertTrue(sent[-1]["url"].endswith("/__mock/credentials?scenario=locked"), sent[-1]["url"])

        try_scenario.select_by_value("")
        first = self.use_scenario_credentials("default")
        second = self.use_scenario_credentials("default")
        status, _ = self.look_up_as_filled("click_detail")

        self.assertEqual(first, (USERNAME, API_KEY))
        self.assertEqual(second, ("qa_tester", QA_TESTER_KEY))
        self.assertTrue(status.startswith("200"), status)
        self.assertIn("pair 2 of 2", self.driver.find_element(By.ID, "try-credentials-note").text)

    def look_up_as_filled(self, action):
        Select(self.driver.find_element(By.ID, "try-action")).select_by_value(action)
        return self.send_try([("transaction_hash", EXAMPLE_CLICK)])

    def network_requests(self):
        found = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                found.append(message["params"]["request"])
        return found


if __name__ == "__main__":
    unittest.main()
