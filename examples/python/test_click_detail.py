"""Look the API page's example click up against n4n-mock, then check the call.

pip install n4n-mock (the mock server and its pytest fixture), then: pytest
"""

import json
import urllib.request

CLICK = "35b71a300115be9.16738986"


def test_click_detail(n4n_mock):
    request = urllib.request.Request(
        f"{n4n_mock.url}/api/transaction/click_detail?transaction_hash={CLICK}",
        headers={"api-key": "44b5498dbcb481a0d00b404c0169af62", "api-username": "n4n_admin"},
    )
    with urllib.request.urlopen(request) as response:
        click = json.load(response)

    assert click["result"] == "success"
    assert click["click"]["click_hash"] == CLICK
    n4n_mock.verify([
        {"path": "/api/transaction/click_detail", "value": CLICK, "status": 200, "count": 1},
    ])
