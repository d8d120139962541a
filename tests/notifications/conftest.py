import pytest

from tests.notifications.fake_gateway import FakeGateway


@pytest.fixture
def sms_dir(settings, tmp_path):
    """The file backend, writing under this test's own folder."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path / "sms")
    return tmp_path / "sms"


@pytest.fixture
def gateway(settings):
    """The fake provider, and the HTTP SMS backend pointed at it."""
    with FakeGateway() as fake:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = f"{fake.url}/sms"
        settings.SMS_HTTP_KEY = "key-1"
        settings.SMS_HTTP_SECRET = "secret-1"
        settings.SMS_HTTP_TIMEOUT = 2.0
        settings.WECOM_API_BASE = fake.url
        settings.WECOM_CORP_ID = "corp"
        settings.WECOM_CORP_SECRET = "corp-secret"
        settings.WECOM_AGENT_ID = "1000002"
        yield fake
