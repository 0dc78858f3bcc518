"""The real WordPress fixtures of the crash suite."""

from tests.faults.conftest import empty_site, fresh_site, wordpress, wp  # noqa: F401  (fixtures)
