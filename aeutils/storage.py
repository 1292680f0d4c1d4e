"""Files written whole or not at all, and the leftovers of a killed process cleared away.

Every file the package writes goes through ``atomic_file``: it is written under a temporary
name beside its destination and renamed into place only once complete, so a reader (or a
process killed half-way) never sees half a file. Temporary names start with ``PARTIAL``
and carry the writer's process id, so that ``remove_leftovers`` can tell the leftovers of a
dead process from the work of a live one and remove only those.
"""

import contextlib
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

PARTIAL = ".aeutils-partial-"  # the start of every temporary name the package makes
STALE_AFTER = 24 * 3600  # seconds; where process ids cannot be checked (Windows), age decides


def sha256(path):
    """The SHA-256 hex digest of the file at ``path``."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _alive(pid):
    """Whether process ``pid`` may still be running (True where it cannot be told)."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _host():
    """This machine's name, as it stands in temporary names (no ``-``, which ends it)."""
    return socket.gethostname().replace("-", "_")


def _owner(path):
    """``(pid, host)`` of the process that made a ``PARTIAL`` name, or None if unreadable."""
    pid, _, host = path.name.removeprefix(PARTIAL).split("-")[0].partition("@")
    return (int(pid), host) if pid.isdigit() else None


def remove_leftovers(folder):
    """Remove the temporary files and folders of dead processes from ``folder``.

    Only names that start with ``PARTIAL`` are touched: the package made them, and nothing
    else. One made by a process of this machine that still runs is kept; one made on another
    machine (a cache on a shared disk), or whose maker cannot be told, only once it is older
    than ``STALE_AFTER`` seconds. What cannot be removed is left for another time.
    """
    for path in Path(folder).glob(f"{PARTIAL}*"):
        owner = _owner(path)
        dead = (owner is not None and owner[1] == _host()
                and owner[0] != os.getpid() and not _alive(owner[0]))
        try:
            old = time.time() - path.lstat().st_mtime > STALE_AFTER
            if dead or old:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError:  # cleared by another process first, or not ours to remove after all
            pass


def partial_name(name=""):
    """A temporary name for this process, for ``mkstemp`` or ``mkdtemp``'s ``prefix``."""
    return f"{PARTIAL}{os.getpid()}@{_host()}-{name}"


@contextlib.contextmanager
def atomic_file(path):
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The temporary name ends like ``path`` (Keras wants ``.weights.h5``). On an error the
    temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path.parent)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=partial_name(), suffix=path.name)
    os.close(handle)  # closed before the rename, which Windows refuses on an open file
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # atomic: readers see the old file or the whole new one
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path, text):
    """Write ``text`` to ``path`` atomically (see ``atomic_file``); return ``path``."""
    with atomic_file(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def read_json(path, advice):
    """The content of the JSON file at ``path``; a damaged one is named, with ``advice``."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{path} is damaged (not valid JSON: {error}): {advice}") from None
