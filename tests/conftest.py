import pytest

from webtensor.testing import no_leaks


@pytest.fixture(autouse=True)
def _no_leaks(request):
    """Every test must return live tensors and texture bytes in use to their baseline."""
    if request.node.get_closest_marker("leaks_ok"):
        yield
        return
    with no_leaks(request.node.name):
        yield


def pytest_configure(config):
    config.addinivalue_line("markers", "leaks_ok: the test keeps tensors alive on purpose")
