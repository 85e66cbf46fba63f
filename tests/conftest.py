import pytest

from webtensor.testing import no_leaks


@pytest.fixture(autouse=True)
def _no_leaks(request):
    """Every test must return live tensors and texture bytes in use to their baseline."""
    with no_leaks(request.node.name):
        yield
