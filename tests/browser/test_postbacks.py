"""The QA console's Postbacks panel in headless Chromium, against the built
mock: conversions made through its form, their postbacks sent to a receiver
the test starts and to a port that refuses, each shown as a row that
follows its state.

Run: .venv-browser/bin/python -m unittest discover -s tests/browser -v
(after `cargo build`; see README, "QA console")."""

import json
import time
from datetime import datetime, timezone
import unittest

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from harness import (POSTBACKS_SCENARIO, Mock, OneBrowser, Receiver, RefusingPort, postbacks_scenario,
                     requested_urls)

AUTH = {"api-key": "44b5498dbcb481a0d00b404c0169af62", "api-username": "n4n_admin"}
EXAMPLE_CLICK = "35b71a300115be9.16738986"
WAIT_S = 5
# How soon after the receiver got a postback its row must say delivered.
SHOWN_WITHIN_S = 1.0
ROWS = "#postback-list details[data-seq]"


class PostbacksPanel(OneBrowser):
    """One browser for every test; per test a receiver, a refusing port, a
    mock whose active scenario sends postbacks to both, and a fresh page."""

    def setUp(self):
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.refusing = RefusingPort()
        self.addCleanup(self.refusing.close)
        scenario = postbacks_scenario(self.receiver.url, self.refusing.url)
        self.mock = Mock(POSTBACKS_SCENARIO, files={POSTBACKS_SCENARIO + ".yaml": scenario})
        self.addCleanup(self.mock.stop)
        driver = self.driver
        driver.get(self.mock.url + "/__mock/ui")
        # The panel has read the active scenario once its targets are listed.
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, '#postback-targets li[data-target="refused"]'),
                      "the scenario's postback targets")
        # Each test reads only the logs of its own page.
        driver.get_log("browser")
        driver.get_log("performance")

    # -- helpers --

    def wait_for(self, check, what, limit=WAIT_S):
        # The panel redraws a row when its state moves: one read mid-redraw is looked up again.
        return WebDriverWait(self.driver, limit, poll_frequency=0.02,
                             ignored_exceptions=(StaleElementReferenceException,
                                                 NoSuchElementException)).until(
            check, message=f"not within {limit} s: {what}")

    def convert(self, click_hash=EXAMPLE_CLICK, amount="29.95", payout="", trans_type="initial",
                orderid=""):
        """Fills the conversion form, presses Convert and returns the answer
        box once it shows this conversion's answer."""
        driver = self.driver
        for name, value in (("click_hash", click_hash), ("amount", amount), ("payout", payout),
                            ("orderid", orderid)):
            field = driver.find_element(By.ID, f"convert-{name}")
            field.clear()
            if value:
                field.send_keys(value)
        Select(driver.find_element(By.ID, "convert-trans_type")).select_by_value(trans_type)
        driver.execute_script("document.getElementById('convert-result').hidden = true")
        self.button("Convert", driver.find_element(By.ID, "convert-form")).click()
        return self.wait_for(lambda d: d.find_element(By.ID, "convert-result").is_displayed()
                             and d.find_element(By.ID, "convert-result"), "the conversion's answer")

    def button(self, text, within):
        # Within a part of the page that is not redrawn (the scenario rows are, as they poll).
        found = [b for b in within.find_elements(By.TAG_NAME, "button") if b.text == text]
        self.assertEqual(len(found), 1, f"one <button> {text!r}")
        return found[0]

    def row(self, selector, what):
        return self.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, f"#postback-list {selector}"), what)

    def records(self):
        status, page = self.mock.get("/__mock/postbacks")
        self.assertEqual(status, 200, page)
        return page["postbacks"]

    def settled(self, count):
        status, page = self.mock.get(f"/__mock/postbacks?settled={count}&timeout=5s")
        self.assertEqual(status, 200, page)
        return page["postbacks"]

    def shown_states(self):
        return [(r.get_attribute("data-seq"), r.get_attribute("data-state"))
                for r in self.driver.find_elements(By.CSS_SELECTOR, ROWS)]

    # -- the conversion form --

    def test_the_form_posts_the_conversion_as_json_and_shows_its_answer(self):
        result = self.convert(amount="29.95", payout="10.00", orderid="ORD-UI-1")

        records = self.records()
        self.assertEqual(result.get_attribute("data-status"), "201", result.text)
        self.assertEqual(sorted(r["seq"] for r in records), [1, 2])
        hash_ = records[0]["transaction_hash"]
        self.assertEqual(result.get_attribute("data-transaction-hash"), hash_)
        self.assertEqual(result.get_attribute("data-postbacks"), "1 2")
        self.assertIn(hash_, result.text)
        self.assertIn("#1, #2", result.text)
        sent = [m for m in self.network_requests() if m["url"].endswith("/__mock/conversions")]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["method"], "POST")
        self.assertEqual(json.loads(sent[0]["postData"]), {
            "click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00",
            "trans_type": "initial", "orderid": "ORD-UI-1"})
        _, detail = self.mock.send(
            "GET", f"/api/transaction/click_detail?transaction_hash={EXAMPLE_CLICK}", None, AUTH)
        added = detail["transactions"][-1]
        self.assertEqual((added["transaction_hash"], added["amount"], added["orderid"]),
                         (hash_, "29.95", "ORD-UI-1"))

    def test_a_conversion_the_mock_refuses_shows_its_message_and_queues_nothing(self):
        for fields, status, message in (
                ({"click_hash": "nope.00000000"}, "404", "Click not found"),
                ({"amount": "twelve"}, "400", "Invalid amount"),
                ({"click_hash": ""}, "400", "Missing field: click_hash")):
            with self.subTest(message):
                result = self.convert(**fields)

                self.assertEqual(result.get_attribute("data-status"), status)
                self.assertIn(f"Not converted ({status}): {message}", result.text)
                self.assertIn("bad", result.get_attribute("class"))
        self.assertEqual(self.records(), [])
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ROWS), [])
        self.assertTrue(self.driver.find_element(By.ID, "postback-empty").is_displayed())

    # -- the rows --

    def test_a_delivered_postback_shows_within_a_second_of_reaching_the_receiver(self):
        self.convert()
        got = self.receiver.wait_for(1, WAIT_S)[0]

        row = self.row('details[data-target="receiver"][data-state="delivered"]', "the delivered row")
        shown_after = time.monotonic() - got.at

        self.assertLessEqual(shown_after, SHOWN_WITHIN_S)
        record = next(r for r in self.records() if r["target"] == "receiver")
        self.assertEqual(got.path, record["url"].removeprefix(self.receiver.url))
        summary = row.find_element(By.TAG_NAME, "summary").text
        for shown in (f"#{record['seq']}", "sale", "receiver", "delivered", "1 attempt",
                      record["transaction_hash"]):
            self.assertIn(shown, summary)
        self.assertEqual(row.get_attribute("data-seq"), str(record["seq"]))
        self.assertEqual([e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"], [])

    def test_a_postback_to_a_refusing_port_fails_and_opens_to_its_error(self):
        self.convert()

        row = self.row('details[data-target="refused"][data-state="failed"]', "the failed row")
        record = next(r for r in self.records() if r["target"] == "refused")
        error = record["attempts"][0]["error"]
        self.assertEqual(error, "connection refused")
        self.assertIn(error, row.find_element(By.TAG_NAME, "summary").text)
        row.find_element(By.TAG_NAME, "summary").send_keys(Keys.ENTER)
        row = self.row('details[data-target="refused"]', "the failed row")

        self.assertEqual(row.get_attribute("open"), "true")
        attempts = row.find_elements(By.CSS_SELECTOR, "table.attempts tbody tr")
        self.assertEqual(len(attempts), 1)
        self.assertIn(error, attempts[0].text)
        self.assertIn(record["attempts"][0]["time"], attempts[0].text)
        at = datetime.strptime(record["attempts"][0]["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        self.assertEqual(attempts[0].find_element(By.TAG_NAME, "time").get_attribute("title"),
                         f"Unix seconds: {at.replace(tzinfo=timezone.utc).timestamp():.3f}")
        fields = row.find_element(By.CSS_SELECTOR, "dl").text
        self.assertIn(record["url"], fields)
        self.assertIn(record["body"], fields)
        self.assertNotIn(AUTH["api-key"], self.driver.page_source)

    def test_rows_come_newest_first_and_a_delivered_one_opens_to_its_url_and_answer(self):
        self.convert()
        self.convert(trans_type="rebill")
        records = self.settled(4)

        self.wait_for(lambda d: [s for _, s in self.shown_states()] == [r["state"] for r in records[::-1]],
                      "four settled rows, newest first")
        self.assertEqual([seq for seq, _ in self.shown_states()], ["4", "3", "2", "1"])
        self.assertEqual([r.get_attribute("data-event") for r in self.driver.find_elements(By.CSS_SELECTOR, ROWS)],
                         ["rebill", "rebill", "sale", "sale"])
        delivered = next(r for r in records if r["target"] == "receiver" and r["event"] == "rebill")
        row = self.row(f'details[data-seq="{delivered["seq"]}"]', "the rebill's row")
        row.find_element(By.TAG_NAME, "summary").click()
        row = self.row(f'details[data-seq="{delivered["seq"]}"]', "the rebill's row")
        self.assertEqual(row.get_attribute("open"), "true")
        fields = row.find_element(By.CSS_SELECTOR, "dl").text
        self.assertIn(delivered["url"], fields)
        self.assertIn("(none: a GET has no body)", fields)
        attempt = row.find_element(By.CSS_SELECTOR, "table.attempts tbody tr")
        self.assertEqual(attempt.get_attribute("data-attempt"), "1")
        self.assertIn("200", attempt.text)
        self.assertIn("ok", attempt.text)

    def test_a_reset_made_elsewhere_empties_the_panel_and_seq_starts_again(self):
        self.convert()
        self.settled(2)
        self.wait_for(lambda d: len(d.find_elements(By.CSS_SELECTOR, ROWS)) == 2, "two rows")

        status, _ = self.mock.send("POST", "/__mock/reset")
        self.assertEqual(status, 200)
        self.wait_for(lambda d: d.find_element(By.ID, "postback-empty").is_displayed(), "no row",
                      limit=SHOWN_WITHIN_S)
        self.convert(amount="5.00")
        records = self.settled(2)

        self.wait_for(lambda d: sorted(self.shown_states()) == sorted((str(r["seq"]), r["state"]) for r in records),
                      "the two new rows")
        self.assertEqual(len(self.receiver.received), 2)

    # -- what it asks the mock --

    def test_the_panel_reads_only_past_what_has_settled(self):
        self.convert()
        self.settled(2)
        self.wait_for(lambda d: sorted(s for _, s in self.shown_states()) == ["delivered", "failed"],
                      "both rows settled")
        requested_urls(self.driver)
        reads = []

        def three_reads(driver):
            reads.extend(u for u in requested_urls(driver) if "/__mock/postbacks?" in u)
            return len(reads) >= 3
        started = time.monotonic()
        self.wait_for(three_reads, "three reads of the postbacks")

        # Every 0.3 s or so while the page is in view.
        self.assertLess(time.monotonic() - started, 1.5)
        # Rows 1 and 2 have settled: a read starts at 2 (after=1), to check it is still the same one.
        for url in reads:
            self.assertIn(f"/__mock/postbacks?scenario={POSTBACKS_SCENARIO}&after=1&limit=", url)

    def test_the_scenarios_targets_are_listed(self):
        targets = self.driver.find_element(By.ID, "postback-targets")

        receiver = targets.find_element(By.CSS_SELECTOR, 'li[data-target="receiver"]').text
        refused = targets.find_element(By.CSS_SELECTOR, 'li[data-target="refused"]').text
        self.assertIn(self.receiver.url + "/n4n?tx=%%transaction_hash%%", receiver)
        self.assertIn("GET", receiver)
        self.assertIn(self.refusing.url + "/n4n", refused)
        self.assertIn("POST", refused)
        self.assertIn("no retry", refused)

    def network_requests(self):
        found = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                found.append(message["params"]["request"])
        return found


if __name__ == "__main__":
    unittest.main()
