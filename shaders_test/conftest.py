# The same leak check as the API tests: every test returns memory to its baseline.
from tests.conftest import _no_leaks  # noqa: F401
