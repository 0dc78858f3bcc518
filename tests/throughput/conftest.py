"""The real WordPress fixtures (the same as tests/faults'), for the stalled publisher."""

from __future__ import annotations

from tests.faults.conftest import empty_site  # noqa: F401  (fixture)
from tests.wordpress.conftest import fresh_site, wordpress, wp  # noqa: F401  (fixtures)
