"""Verified downloads into the package's cache, and what to do when one fails.

``download`` fetches a file whose SHA-256 is known into ``cache_dir()`` (or anywhere), bounded
in time, written through ``aeutils.storage`` so that a killed download leaves no half file;
``verified`` says whether a kept file is still whole; ``advice`` turns a failure into what the
reader can do about it. ``aeutils.mnist`` and ``aeutils.heart_rate`` use them.
"""

import errno
import http.client
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from aeutils import storage
from aeutils.checks import env_variable

DOWNLOAD_TIMEOUT = 60  # seconds without an answer before a source counts as failed
DOWNLOAD_DEADLINE = 600  # seconds for a whole download, however slowly the bytes come
CHUNK = 1 << 20  # bytes read at a time
NETWORK_ERRORS = (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException,
                  socket.gaierror)
NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.ETIMEDOUT}


class ChecksumError(ValueError):
    """A file whose SHA-256 is not the one expected: damaged or replaced, and not kept."""

    advice = "a download was damaged or replaced on the way and was not kept: run again"


def cache_dir():
    """The folder where downloaded data is kept: ``$AEUTILS_CACHE`` or ``~/.cache/aeutils``.

    An empty variable counts as unset, ``~`` is expanded, and a relative ``AEUTILS_CACHE`` is
    taken from the current folder. ``XDG_CACHE_HOME`` (``~/.cache`` by default) is used only
    when absolute, as its specification says.
    """
    if chosen := env_variable("AEUTILS_CACHE"):
        return Path(chosen).expanduser().absolute()
    xdg = Path(env_variable("XDG_CACHE_HOME") or "~/.cache").expanduser()
    return (xdg if xdg.is_absolute() else Path.home() / ".cache") / "aeutils"


def verified(path, digest):
    """True when ``path`` is a file with the SHA-256 ``digest``."""
    try:
        return Path(path).is_file() and storage.sha256(path) == digest
    except OSError:  # unreadable: fetched again, and the error (if any) is the fetch's
        return False


def check_sha256(path, digest, name, source=None):
    """Raise ``ChecksumError`` unless the file at ``path`` has the SHA-256 ``digest``."""
    got = storage.sha256(path)
    if got != digest:
        origin = f" (from {source})" if source else ""
        raise ChecksumError(
            f"{name} has SHA-256 {got}, expected {digest}{origin}: it was damaged or replaced "
            "on the way, and was not kept. Run again to download it afresh."
        )


def download(url, dest, digest):
    """Download ``url`` to ``dest``, checked against the SHA-256 ``digest``, and return ``dest``.

    A file already at ``dest`` with that digest is kept without downloading; a new one is
    written atomically (``aeutils.storage.atomic_file``) once verified. A source silent for
    ``DOWNLOAD_TIMEOUT`` seconds, or still sending after ``DOWNLOAD_DEADLINE`` seconds,
    counts as failed.
    """
    dest = Path(dest)
    if verified(dest, digest):
        return dest
    deadline = time.monotonic() + DOWNLOAD_DEADLINE
    with storage.atomic_file(dest) as part:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as r, open(part, "wb") as f:
            read = getattr(r, "read1", r.read)  # read1: what has come, without waiting for more
            while chunk := read(CHUNK):
                f.write(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{url} was still downloading after DOWNLOAD_DEADLINE = "
                        f"{DOWNLOAD_DEADLINE} s ({f.tell():,} bytes so far): the connection is "
                        "too slow. Try again on a faster one, or raise "
                        "aeutils.downloads.DOWNLOAD_DEADLINE."
                    )
        check_sha256(part, digest, dest.name, url)
    return dest


def advice(error, cache):
    """What to do about ``error``, why a download into ``cache`` failed (None: no idea).

    An error may carry its own advice as an ``advice`` attribute.
    """
    if getattr(error, "advice", None):
        return error.advice
    if isinstance(error, urllib.error.HTTPError):
        return f"the server answered {error.code} {error.reason}: try again later"
    if isinstance(error, NETWORK_ERRORS) or getattr(error, "errno", None) in NETWORK_ERRNOS:
        return "connect to the internet (or check the proxy or firewall)"
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return f"the disk that holds {cache} is full: free some space, or set AEUTILS_CACHE"
    if isinstance(error, OSError) and (error.filename2 or error.filename):
        path = error.filename2 or error.filename
        problem = "cannot be written" if isinstance(error, PermissionError) else "is in the way"
        return (f"{path} {problem} ({error.strerror}): move it away or make it writable, "
                "or set AEUTILS_CACHE to another folder")
    return None
