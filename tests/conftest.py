"""What several test files share."""

import pytest

from aeutils.files import REPOSITORY


@pytest.fixture
def github_from(monkeypatch):
    """``github_from(mirror)`` makes git, and so pip, fetch the book's repository from the
    local ``mirror`` instead of GitHub, for this test only."""
    def redirect(mirror):
        monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
        monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{mirror}.insteadOf")
        monkeypatch.setenv("GIT_CONFIG_VALUE_0", f"https://github.com/{REPOSITORY}")

    return redirect
