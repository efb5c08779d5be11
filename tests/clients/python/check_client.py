"""The client openapi-python-client generates from the served document,
against a running n4n-mock: the API page's example click, a void of the
walk-through's sale and the lookup that shows it, a 401 read as the error
envelope, and a scenario switch through the admin API.

Usage (scripts/test-clients.sh runs it so):

    PYTHONPATH=FOLDER_HOLDING_n4n_client python check_client.py http://127.0.0.1:PORT

Every step prints `ok - ...`; the first that fails raises, and the program
exits non-zero.
"""

import sys

from n4n_client import Client
from n4n_client.api.admin import list_scenarios, reset, switch_scenario
from n4n_client.api.api import (
    check_order_id_exists,
    click_detail,
    payout_preview,
    ping,
    process_void,
)
from n4n_client.models import (
    ClickDetail,
    ErrorEnvelope,
    EventApplied,
    LookupForm,
    OrderIdCheck,
    PayoutPreview,
    ScenarioHeader,
    ScenarioList,
    ScenarioName,
    SwitchScenarioBody,
    Switched,
    TransactionStatus,
    VoidForm,
)

API_KEY = "44b5498dbcb481a0d00b404c0169af62"
USERNAME = "n4n_admin"
EXAMPLE_CLICK = "35b71a300115be9.16738986"
# The lifecycle walk-through's click (docs/lifecycle.md) and its one sale, in the scenario `lifecycle`.
LIFECYCLE_CLICK = "a1c0ffee0000001.10000001"
LIFECYCLE_SALE = "a1c0ffee0000002.10000002"


def check(condition, what, got=None):
    if not condition:
        raise AssertionError(f"{what}; got {got!r}")


def expect(answer, status, kind, what):
    """The answer's status and its body parsed into the generated `kind`."""
    check(answer.status_code == status, f"{what}: status {status}", (answer.status_code, answer.content))
    check(isinstance(answer.parsed, kind), f"{what}: a {kind.__name__}", answer.parsed)
    return answer.parsed


def main(base_url):
    api = Client(base_url=base_url, headers={"api-key": API_KEY, "api-username": USERNAME})
    admin = Client(base_url=base_url)
    reset.sync_detailed(client=admin)

    # The API page's example click, its parameter in the query string.
    answer = click_detail.sync_detailed(
        client=api, transaction_hash=EXAMPLE_CLICK, x_mock_scenario=ScenarioHeader.DEFAULT
    )
    found = expect(answer, 200, ClickDetail, "the example click")
    check(found.result == "success", "result success", found.result)
    check(found.click.click_hash == EXAMPLE_CLICK, "its click_hash", found.click.click_hash)
    check(found.click.loginid == "1001", "its loginid", found.click.loginid)
    check(len(found.transactions) >= 1, "its transactions", found.transactions)
    print(f"ok - click_detail {EXAMPLE_CLICK} (query string): 200, ClickDetail, {len(found.transactions)} transactions")

    expect(ping.sync_detailed(client=api), 200, object, "ping")
    print("ok - ping: 200")

    # The walk-through: void the sale, then look it up again.
    lifecycle = ScenarioHeader.LIFECYCLE
    answer = process_void.sync_detailed(
        client=api, body=VoidForm(transaction_hash=LIFECYCLE_SALE), x_mock_scenario=lifecycle
    )
    voided = expect(answer, 200, EventApplied, "the void")
    check(voided.message == "success", "the void's message", voided.message)
    print(f"ok - process_void {LIFECYCLE_SALE} (form body): 200, EventApplied")

    # The body, as the API page sends it: httpx sends a GET's body.
    answer = click_detail.sync_detailed(
        client=api, body=LookupForm(transaction_hash=LIFECYCLE_SALE), x_mock_scenario=lifecycle
    )
    after = expect(answer, 200, ClickDetail, "the lookup after the void")
    check(after.click.click_hash == LIFECYCLE_CLICK, "the sale's click", after.click.click_hash)
    sale = next(t for t in after.transactions if t.transaction_hash == LIFECYCLE_SALE)
    check(sale.status == TransactionStatus.VOID, "the sale is void", sale.status)
    events = [t for t in after.transactions if t.trans_type == "void"]
    check(len(events) == 1, "one void transaction", after.transactions)
    check(events[0].amount == "-29.95", "the void's amount", events[0].amount)
    print(f"ok - click_detail {LIFECYCLE_SALE} (form body): the sale is void, and the void transaction follows it")

    answer = payout_preview.sync_detailed(
        client=api, transaction_hash=LIFECYCLE_SALE, amount="59.90", x_mock_scenario=lifecycle
    )
    preview = expect(answer, 200, PayoutPreview, "the payout preview")
    print(f"ok - transaction_payout_preview (query string): 200, PayoutPreview, {len(preview.payouts)} payouts")
    answer = check_order_id_exists.sync_detailed(client=api, orderid="ORD-LC-1", x_mock_scenario=lifecycle)
    exists = expect(answer, 200, OrderIdCheck, "the order check")
    check(exists.message == "TRUE", "ORD-LC-1 exists", exists.message)
    print("ok - check_orderid_exists ORD-LC-1 (query string): 200, TRUE")

    # A wrong key: 401, read as the error envelope.
    wrong = Client(base_url=base_url, headers={"api-key": "0" * 32, "api-username": USERNAME})
    answer = click_detail.sync_detailed(client=wrong, transaction_hash=EXAMPLE_CLICK)
    refused = expect(answer, 401, ErrorEnvelope, "a wrong api-key")
    check(refused.result == "error", "result error", refused.result)
    check(refused.message == "Invalid api-key or api-username", "the message", refused.message)
    print(f"ok - a wrong api-key: 401, ErrorEnvelope {refused.message!r}")

    # The admin API: switch to `lifecycle`, where its click is found
    # without X-Mock-Scenario, and back.
    answer = switch_scenario.sync_detailed(client=admin, body=SwitchScenarioBody(name=ScenarioName.LIFECYCLE))
    switched = expect(answer, 200, Switched, "the switch")
    check(switched.active == "lifecycle", "active lifecycle", switched.active)
    listed = expect(list_scenarios.sync_detailed(client=admin), 200, ScenarioList, "the scenario list")
    check(listed.active == "lifecycle", "listed as active", listed.active)
    answer = click_detail.sync_detailed(client=api, transaction_hash=LIFECYCLE_CLICK)
    expect(answer, 200, ClickDetail, "a lookup in the active scenario")
    answer = switch_scenario.sync_detailed(client=admin, body=SwitchScenarioBody(name=ScenarioName(switched.previous)))
    expect(answer, 200, Switched, "the switch back")
    print(f"ok - PUT /__mock/scenario lifecycle: 200, Switched (from {switched.previous}), and back")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
    print("python (openapi-python-client): every check passed")
