from tests.servers.web import web_server  # noqa: F401 - the shared fixture
