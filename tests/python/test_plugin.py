"""The pytest plugin: the n4n_mock fixture, its marker and its option."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE_CLICK, lookup

seen_pids = []


def test_a_makes_a_lookup(n4n_mock) -> None:
    seen_pids.append(n4n_mock.pid)
    assert lookup(n4n_mock.url)[0] == 200
    n4n_mock.verify({"path": "/api/transaction/click_detail", "value": EXAMPLE_CLICK, "count": 1})


def test_b_sees_none_of_a_s_requests(n4n_mock) -> None:
    seen_pids.append(n4n_mock.pid)
    assert n4n_mock.requests() == []
    assert seen_pids[0] == seen_pids[-1]  # one server for the session


@pytest.mark.n4n_mock(scenario="locked")
def test_the_marker_switches_the_scenario(n4n_mock) -> None:
    assert lookup(n4n_mock.url)[0] == 401


def test_without_a_marker_the_default_scenario_is_back(n4n_mock) -> None:
    assert lookup(n4n_mock.url)[0] == 200


OPTION_TEST = """
from conftest_lookup import lookup
import pytest

def test_plain(n4n_mock):
    assert lookup(n4n_mock.url) == {status}

@pytest.mark.n4n_mock(scenario="default")
def test_marker_wins(n4n_mock):
    assert lookup(n4n_mock.url) == 200
"""

LOOKUP_MODULE = """
import urllib.error, urllib.request

def lookup(url):
    request = urllib.request.Request(
        url + "/api/transaction/click_detail?transaction_hash={click}",
        headers={{"api-key": "44b5498dbcb481a0d00b404c0169af62", "api-username": "n4n_admin"}},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
""".format(click=EXAMPLE_CLICK)


def test_the_option_picks_the_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(conftest_lookup=LOOKUP_MODULE, test_option=OPTION_TEST.format(status=401))
    result = pytester.runpytest_subprocess("--n4n-mock-scenario", "locked", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_ini_option_picks_the_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(conftest_lookup=LOOKUP_MODULE, test_option=OPTION_TEST.format(status=401))
    pytester.makeini("[pytest]\nn4n_mock_scenario = locked\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


TOKEN_TEST = """
import urllib.error, urllib.request

def test_admin_calls_carry_the_token(n4n_mock):
    assert n4n_mock.admin_token == "plugin-t0ken"
    assert n4n_mock.requests() == []
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(n4n_mock.url + "/__mock/requests", timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 401
        assert error.headers["WWW-Authenticate"] == "Bearer"
    else:
        raise AssertionError("the admin API answered without the token")
"""


def test_the_option_sets_the_admin_token(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_token=TOKEN_TEST)
    result = pytester.runpytest_subprocess("--n4n-mock-admin-token", "plugin-t0ken", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_ini_option_sets_the_admin_token(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_token=TOKEN_TEST)
    pytester.makeini("[pytest]\nn4n_mock_admin_token = plugin-t0ken\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["*n4n_mock(scenario=*"])
