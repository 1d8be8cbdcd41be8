"""Hypothesis profiles: ``ci`` (derandomised, no deadline: the same examples on every run,
and Numba's first-call compilation never counts as a timeout) is the default; ``thorough``
draws many more examples for local runs: ``HYPOTHESIS_PROFILE=thorough pytest``.

Every test also gets the marker named after its directory (``tests/engine/...`` is marked
``engine``), so ``pytest -m engine`` runs the same tests as ``pytest tests/engine``. The
markers are registered in pyproject.toml; a new directory needs its marker there too."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=30,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=500,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
        if len(parts) > 1:  # tests/<floor>/test_*.py
            item.add_marker(getattr(pytest.mark, parts[0]))
