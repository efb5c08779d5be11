"""pytest plugin: the ``n4n_mock`` fixture.

One n4n-mock server per test session, started the first time a test asks for
it and stopped when the session ends. Before each test that uses the
``n4n_mock`` fixture it is reset (data, postbacks, request journal) and
switched to the test's scenario: the ``n4n_mock(scenario=...)`` marker's,
else ``--n4n-mock-scenario`` (or the ``n4n_mock_scenario`` ini option),
else ``default``. So each test's ``verify`` counts its own calls only.

``--n4n-mock-admin-token`` (or the ``n4n_mock_admin_token`` ini option) starts
it with that admin token; without them, an ``N4N_MOCK_ADMIN_TOKEN`` in the
environment is used (see :class:`~n4n_mock.MockServer`).

To start the server otherwise (your own scenarios, a receiver's address),
override the session fixture in your ``conftest.py``::

    @pytest.fixture(scope="session")
    def n4n_mock_server():
        with MockServer(scenarios_dir="tests/scenarios") as server:
            yield server
"""

from __future__ import annotations

from typing import Iterator, Optional

import pytest

from ._server import MockServer

DEFAULT_SCENARIO = "default"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("n4n-mock")
    group.addoption(
        "--n4n-mock-scenario",
        dest="n4n_mock_scenario",
        default=None,
        metavar="NAME",
        help="n4n-mock scenario for tests without an n4n_mock marker (default: default)",
    )
    parser.addini("n4n_mock_scenario", "n4n-mock scenario for tests without an n4n_mock marker")
    group.addoption(
        "--n4n-mock-admin-token",
        dest="n4n_mock_admin_token",
        default=None,
        metavar="TOKEN",
        help="admin token for the n4n-mock server (default: N4N_MOCK_ADMIN_TOKEN, else none)",
    )
    parser.addini("n4n_mock_admin_token", "admin token for the n4n-mock server")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", 'n4n_mock(scenario="NAME"): the n4n-mock scenario the n4n_mock fixture switches to'
    )


def _scenario(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("n4n_mock")
    if marker is not None:
        name: Optional[str] = marker.kwargs.get("scenario", marker.args[0] if marker.args else None)
        if name:
            return name
    return (
        request.config.getoption("n4n_mock_scenario")
        or request.config.getini("n4n_mock_scenario")
        or DEFAULT_SCENARIO
    )


@pytest.fixture(scope="session")
def n4n_mock_server(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    """The session's n4n-mock server, as it is (not reset)."""
    token = pytestconfig.getoption("n4n_mock_admin_token") or pytestconfig.getini("n4n_mock_admin_token")
    with MockServer(admin_token=token or None) as server:
        yield server


@pytest.fixture
def n4n_mock(request: pytest.FixtureRequest, n4n_mock_server: MockServer) -> MockServer:
    """The session's n4n-mock server, reset and switched to this test's scenario."""
    n4n_mock_server.reset()
    n4n_mock_server.use(_scenario(request))
    return n4n_mock_server
