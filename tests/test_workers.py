"""The suite runs on two pytest-xdist workers (pyproject.toml's addopts), and the tests of a
server that cannot be shared (the one WordPress) run in one of them: `--dist loadgroup`
and the groups tests/conftest.py gives."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("wordpress")
def test_a_group_reaches_the_scheduler(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by an xdist worker under --dist loadgroup")
    # The scheduler reads the group from the end of the node id; without it the test
    # is dealt to any worker, and the WordPress tests would run on two at once.
    assert request.node.nodeid.endswith("@wordpress")
