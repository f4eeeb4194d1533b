# TEMPORARY dev override (to be deleted): points `miel` at /tmp/webdev/devserver.py
import urllib.request
import pytest


class _Dev:
    base_url = "http://127.0.0.1:18765"

    def get(self, path):
        with urllib.request.urlopen(self.base_url + path, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")


@pytest.fixture(scope="session")
def miel():
    return _Dev()
