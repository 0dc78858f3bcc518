from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.llamacpp import LlamaServer
from tests.servers.tiny_gguf import write_tiny_model

WINDOW = 8192


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture(scope="module")
def llama_server(
    tiny_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    log = tmp_path_factory.mktemp("llama") / "log"
    server = LlamaServer(tiny_model, n_ctx=WINDOW, log=log)
    server.start()
    yield server
    server.stop()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups off the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here runs against the real server: marked so, by folder. They run in one
    xdist worker (`--dist loadgroup`): one server started per module, not one a worker, and
    its answers, computed on the CPU, do not compete with a twin's for the 2 cores."""
    for item in items:
        if "tests/llamacpp/" in str(item.fspath):
            item.add_marker(pytest.mark.llamacpp)
            item.add_marker(pytest.mark.xdist_group("llamacpp"))
