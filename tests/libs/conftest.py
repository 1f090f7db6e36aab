"""Fixtures of the shared library's suite."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """Return a DRF test client."""
    return APIClient()
