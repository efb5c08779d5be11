"""Screenshots of the QA console for the README: one PNG per panel at
1280x800 (the Postbacks panel over a scenario of its own, its postbacks
sent to a receiver started here and to a port that refuses) and one
phone-sized, in docs/ui/. Run after `cargo build`:

    .venv-browser/bin/python tests/browser/screenshots.py
"""

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from harness import (POSTBACKS_SCENARIO, ROOT, Mock, Receiver, RefusingPort, chromium,
                     postbacks_scenario, quit_chromium, viewport)

OUT = ROOT / "docs" / "ui"
AUTH = {"api-key": "44b5498dbcb481a0d00b404c0169af62", "api-username": "n4n_admin"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", **AUTH}


def traffic(mock):
    """A few requests of each kind, so every panel has something to show."""
    mock.send("GET", "/api/transaction/click_detail?transaction_hash=35b71a300115be9.16738986", None, AUTH)
    mock.send("GET", "/api/service/ping", None, AUTH)
    mock.send("GET", "/api/service/ping", None, {"api-key": "wrong", "api-username": "n4n_admin"})
    mock.send("POST", "/api/transaction/process_void", "transaction_hash=a1c0ffee0000002.10000002",
              {**FORM, "X-Mock-Scenario": "lifecycle"})
    mock.send("POST", "/api/transaction/process_void", "transaction_hash=a1c0ffee0000002.10000002",
              {**FORM, "X-Mock-Scenario": "lifecycle"})
    mock.send("GET", "/api/transaction/click_detail?transaction_hash=nope", None, AUTH)
    mock.send("GET", "/api/service/ping", None, {**AUTH, "X-Mock-Scenario": "locked"})
    mock.send("GET", "/api/nowhere")


def panel(driver, section, name):
    driver.execute_script(
        "const s = document.getElementById(arguments[0]); s.scrollIntoView({block: 'start'});"
        "window.scrollBy(0, -8);", section)
    time.sleep(0.3)
    driver.save_screenshot(str(OUT / name))


def postbacks():
    """The Postbacks panel after a sale and a rebill, each sent to a receiver
    that answers 200 and to a port that refuses, the rebill's delivery open."""
    receiver, refusing = Receiver(), RefusingPort()
    mock = Mock(POSTBACKS_SCENARIO, files={
        POSTBACKS_SCENARIO + ".yaml": postbacks_scenario(receiver.url, refusing.url)})
    driver = chromium(1280, 800)
    try:
        driver.get(mock.url + "/__mock/ui")
        wait = WebDriverWait(driver, 5)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#postback-targets li"))
        for trans_type, amount, orderid in (("initial", "29.95", "ORD-2001"), ("rebill", "19.95", "")):
            for name, value in (("click_hash", "35b71a300115be9.16738986"), ("amount", amount),
                                ("payout", "10.00"), ("orderid", orderid)):
                field = driver.find_element(By.ID, f"convert-{name}")
                field.clear()
                field.send_keys(value)
            Select(driver.find_element(By.ID, "convert-trans_type")).select_by_value(trans_type)
            driver.find_element(By.ID, "convert-send").click()
            wait.until(lambda d: d.find_element(By.ID, "convert-result").get_attribute("data-postbacks"))
        mock.get("/__mock/postbacks?settled=4&timeout=5s")
        wait.until(lambda d: len(d.find_elements(
            By.CSS_SELECTOR, '#postback-list details[data-state="delivered"], '
                             '#postback-list details[data-state="failed"]')) == 4)
        driver.find_element(By.CSS_SELECTOR, '#postback-list details[data-seq="3"] summary').click()
        panel(driver, "postbacks", "postbacks.png")
    finally:
        quit_chromium(driver)
        mock.stop()
        receiver.stop()
        refusing.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    mock = Mock()
    driver = chromium(1280, 800)
    try:
        traffic(mock)
        driver.get(mock.url + "/__mock/ui")
        wait = WebDriverWait(driver, 5)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#journal-list details[data-seq]"))

        # A failed reload shows each problem where it is.
        (mock.scenarios / "broken.yaml").write_text("description: a typo\nclicks: [\n  {click_hash: x\n")
        [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text == "Reload"][0].click()
        wait.until(lambda d: "broken.yaml:" in d.find_element(By.ID, "admin-result").text)
        panel(driver, "scenarios", "scenarios.png")

        driver.find_elements(By.CSS_SELECTOR, "#journal-list details[data-seq]")[3] \
            .find_element(By.TAG_NAME, "summary").click()
        panel(driver, "journal", "journal.png")

        Select(driver.find_element(By.ID, "try-action")).select_by_value("click_detail")
        driver.find_element(By.ID, "try-username").send_keys(AUTH["api-username"])
        driver.find_element(By.ID, "try-key").send_keys(AUTH["api-key"])
        driver.find_element(By.ID, "param-transaction_hash").send_keys("35b71a300115be9.16738986")
        driver.find_element(By.ID, "try-send").click()
        wait.until(lambda d: d.find_element(By.ID, "try-result").is_displayed())
        panel(driver, "try", "try.png")

        viewport(driver, 390, 844, mobile=True)
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.3)
        driver.save_screenshot(str(OUT / "phone.png"))
    finally:
        quit_chromium(driver)
        mock.stop()
    postbacks()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
