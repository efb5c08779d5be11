"""The QA console against a mock started with an admin token, in headless
Chromium: the console asks for the token once, in a form of its own, keeps
it in the tab's session storage and sends it as `Authorization: Bearer` on
every admin call; against a mock without one, the form never shows.

Run: .venv-browser/bin/python -m unittest discover -s tests/browser -v
(after `cargo build`; see README, "QA console")."""

import json
import time
import unittest

from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                        StaleElementReferenceException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import Mock, OneBrowser

TOKEN = "qa-admin-token-7f3c9e"
KEY = "n4n-mock.admin-token"
USERNAME = "n4n_admin"
API_KEY = "44b5498dbcb481a0d00b404c0169af62"
WAIT_S = 5
ROWS = "li[data-scenario]"
CONSOLE_FILES = ("/__mock/ui", "/__mock/ui/app.js", "/__mock/ui/style.css")


class Page(OneBrowser):
    """One browser for every test of a class; a fresh mock and page per test."""

    def start(self, **mock):
        self.mock = Mock(**mock)
        self.addCleanup(self.mock.stop)
        driver = self.driver
        driver.get(self.mock.url + "/__mock/ui")
        driver.execute_script("sessionStorage.clear(); localStorage.clear();")
        driver.refresh()

    def wait_for(self, check, what, limit=WAIT_S):
        return WebDriverWait(self.driver, limit, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,
                                                 NoSuchElementException)).until(
            check, message=f"not within {limit} s: {what}")

    def form_shown(self):
        return self.driver.find_element(By.ID, "admin-token-panel").is_displayed()

    def stored(self):
        return self.driver.execute_script(f"return sessionStorage.getItem('{KEY}')")

    def drain_logs(self):
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    def network(self):
        """(requests sent, statuses answered) since the last read of the log."""
        sent, statuses = [], []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                sent.append(message["params"]["request"])
            elif message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                statuses.append((response["url"], response["status"]))
        return sent, statuses

    def path_of(self, url):
        return url[len(self.mock.url):].split("?")[0]


class WithToken(Page):
    """The mock started with N4N_MOCK_ADMIN_TOKEN (as the helpers start it)."""

    def setUp(self):
        self.start(env={"N4N_MOCK_ADMIN_TOKEN": TOKEN})
        self.wait_for(lambda d: self.form_shown(), "the admin token form")
        self.drain_logs()

    def send_token(self, token):
        driver = self.driver
        field = driver.find_element(By.ID, "admin-token")
        field.clear()
        field.send_keys(token)
        driver.find_element(By.ID, "admin-token-send").click()

    def test_the_console_asks_for_the_token_in_a_labelled_form(self):
        driver = self.driver
        field = driver.find_element(By.ID, "admin-token")
        labels = driver.execute_script(
            "return [...arguments[0].labels].map(l => l.textContent)", field)
        button = driver.find_element(By.ID, "admin-token-send")

        self.assertEqual(field.get_attribute("type"), "password")
        self.assertEqual(labels, ["Admin token"])
        self.assertEqual((button.tag_name, button.get_attribute("type"), button.text),
                         ("button", "submit", "Use this token"))
        self.assertEqual(driver.switch_to.active_element, field)
        self.assertFalse(driver.find_element(By.ID, "admin-token-message").is_displayed())
        self.assertEqual(driver.find_elements(By.CSS_SELECTOR, ROWS), [])
        with self.assertRaises(NoAlertPresentException):
            driver.switch_to.alert.text

    def test_a_wrong_token_shows_the_form_again_with_a_message(self):
        self.send_token("not-the-token")

        message = self.wait_for(
            lambda d: d.find_element(By.ID, "admin-token-message").is_displayed()
            and d.find_element(By.ID, "admin-token-message"), "the form again with a message")

        self.assertIn("refused", message.text)
        self.assertTrue(self.form_shown())
        self.assertEqual(self.driver.find_element(By.ID, "admin-token").get_attribute("value"), "")
        self.assertIsNone(self.stored())
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ROWS), [])

        self.send_token(TOKEN)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.assertFalse(self.form_shown())

    def test_the_right_token_loads_the_scenarios_and_the_journal(self):
        status, _ = self.mock.send("GET", "/api/service/ping", None,
                                   {"api-key": API_KEY, "api-username": USERNAME})
        self.assertEqual(status, 200)

        self.send_token(TOKEN)

        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, '#journal-list details[data-status="200"]'),
                      "the ping in the journal")
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#postback-targets p"),
                      "the postback targets read")
        time.sleep(0.6)  # a few more polls
        self.assertFalse(self.form_shown())
        self.assertEqual(self.stored(), TOKEN)
        self.assertEqual(self.driver.execute_script("return [localStorage.length, document.cookie]"), [0, ""])
        logs = self.driver.get_log("browser")
        sent, _ = self.network()
        admin = [r for r in sent if r["url"].startswith(self.mock.url + "/__mock/")
                 and self.path_of(r["url"]) not in CONSOLE_FILES + ("/__mock/health",)]
        self.assertTrue({"/__mock/scenario", "/__mock/requests", "/__mock/postbacks/targets"}
                        <= {self.path_of(r["url"]) for r in admin})
        for request in admin:
            self.assertEqual(request["headers"].get("Authorization"), f"Bearer {TOKEN}", request["url"])
        self.assertEqual([r["url"] for r in sent if TOKEN in r["url"]], [])
        self.assertNotIn(TOKEN, self.driver.current_url)
        self.assertNotIn(TOKEN, json.dumps(logs))
        self.assertNotIn(TOKEN, self.driver.page_source)

    def test_a_button_pressed_before_the_token_acts_once_it_is_given(self):
        self.driver.find_element(By.ID, "reset").click()
        time.sleep(0.3)
        self.assertFalse(self.driver.find_element(By.ID, "admin-result").is_displayed())

        self.send_token(TOKEN)

        self.wait_for(lambda d: "Reset:" in d.find_element(By.ID, "admin-result").text, "Reset's result")

    def test_a_reload_of_the_page_does_not_ask_again(self):
        self.send_token(TOKEN)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.drain_logs()

        self.driver.refresh()

        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows after the reload")
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#postback-targets p"),
                      "the postback targets read")
        self.assertFalse(self.form_shown())
        self.assertEqual(self.stored(), TOKEN)
        _, statuses = self.network()
        self.assertIn(200, [s for u, s in statuses if self.path_of(u) == "/__mock/scenario"])
        self.assertEqual([u for u, s in statuses if s == 401], [])

    def test_a_stored_token_the_mock_refuses_asks_again_with_the_message(self):
        # As after the mock was restarted with another token.
        self.send_token(TOKEN)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.driver.execute_script(f"sessionStorage.setItem('{KEY}', 'an-older-token')")

        self.driver.refresh()

        self.wait_for(lambda d: d.find_element(By.ID, "admin-token-message").is_displayed(),
                      "the form with its message")
        self.assertIsNone(self.stored())
        self.send_token(TOKEN)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")


class WithTokenFlag(Page):
    def test_a_token_given_with_the_flag_is_asked_for_the_same_way(self):
        self.start(extra=("--admin-token", TOKEN))
        self.wait_for(lambda d: self.form_shown(), "the admin token form")

        field = self.driver.find_element(By.ID, "admin-token")
        field.send_keys(TOKEN)
        self.driver.find_element(By.ID, "admin-token-send").click()

        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.assertFalse(self.form_shown())


class WithoutToken(Page):
    def test_without_a_token_on_the_mock_the_form_never_shows(self):
        self.start()
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS), "scenario rows")
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#postback-targets p"),
                      "the postback targets read")
        time.sleep(2.1)  # every kind of poll, health included

        self.assertFalse(self.form_shown())
        self.assertIsNone(self.stored())
        sent, statuses = self.network()
        self.assertEqual([u for u, s in statuses if s == 401], [])
        self.assertTrue(any(self.path_of(r["url"]) == "/__mock/scenario" for r in sent))
        self.assertEqual([r["url"] for r in sent if "Authorization" in r["headers"]], [])


if __name__ == "__main__":
    unittest.main()
