"""docs/api.md is generated from the docstrings: it must be current."""

from pathlib import Path

from webtensor.apidocs import generate

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_api_reference_is_current():
    assert API.read_text() == generate(), "run `webtensor docs --out docs/api.md`"
