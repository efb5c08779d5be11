"""Drive n4n-mock, the NATS for Networks mock server, from Python tests.

::

    from n4n_mock import MockServer

    with MockServer() as mock:
        ...  # point the code under test at mock.url
        mock.verify([{"path": "/api/transaction/click_detail", "count": 1}])

With pytest, the ``n4n_mock`` fixture (installed with this package) gives each
test a reset server: see :mod:`n4n_mock.pytest_plugin`.
"""

from ._server import MockError, MockServer, PostbacksTimeout, VerificationError, find_binary

__all__ = ["MockError", "MockServer", "PostbacksTimeout", "VerificationError", "find_binary"]
