"""make test spreads the tests over two processes with ``--dist loadgroup``: the tests of an
``xdist_group`` (a notebook's cells, which share its kernel; the site's tests, which share a
browser) must stay on one. pytest-xdist 3.8 stopped grouping, silently, under pytest 9.2
(pytest-xdist issue 1386): this test fails wherever that happens."""

import subprocess
import sys

TESTS = '''
import os

import pytest


@pytest.mark.xdist_group("one")
@pytest.mark.parametrize("n", range(8))
def test_grouped(n):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
'''


def test_a_group_runs_on_one_process(tmp_path):
    (tmp_path / "test_grouped.py").write_text(TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p",
         "no:cacheprovider", "-rA", "-q", "test_grouped.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    workers = {line.split()[-1] for line in done.stdout.splitlines() if "WORKER gw" in line}
    assert len(workers) == 1, done.stdout[-3000:]
