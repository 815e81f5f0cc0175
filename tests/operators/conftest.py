import pytest

from operators.webhook_server import SECRET, start


@pytest.fixture
def allow_local_http(settings):
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def hook_server(allow_local_http):
    """A webhook receiver that answers 503 to the first two deliveries, then 200."""
    server, httpd = start(SECRET, fail_first=2)
    yield server
    httpd.shutdown()
    httpd.server_close()
