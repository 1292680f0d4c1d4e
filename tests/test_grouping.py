"""make test spreads the tests over two processes with ``--dist loadgroup``: the tests of an
``xdist_group`` (a notebook's cells, which share its kernel; the site's tests, which share a
browser) must stay on one. pytest-xdist 3.8 stopped grouping, silently, under pytest 9.2
(pytest-xdist issue 1386): this test fails wherever that happens."""

import subprocess
import sys

import pytest

TESTS = '''
import os

import pytest


@pytest.mark.xdist_group("one")
@pytest.mark.parametrize("n", range(8))
def test_grouped(n):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])


@pytest.mark.parametrize("n", range(8))
def test_grouped_by_conftest(n):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
'''
# the book's conftest groups nbval's cells as this one groups the second test's cases
CONFTEST = '''
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.name.startswith("test_grouped_by_conftest"):
            item.add_marker(pytest.mark.xdist_group("two"))
'''


@pytest.mark.slow
def test_a_group_runs_on_one_process(tmp_path):
    (tmp_path / "test_grouped.py").write_text(TESTS)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p",
         "no:cacheprovider", "-rA", "-q", "test_grouped.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    for test in ("test_grouped[", "test_grouped_by_conftest["):
        ran = done.stdout.split("PASSES")[1].split(f"_ {test}")[1:]
        workers = {part.split("WORKER ")[1].split()[0] for part in ran}
        assert len(ran) == 8 and len(workers) == 1, done.stdout[-3000:]
