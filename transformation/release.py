"""Which release of the code is running, for the shared cache's keys.

What the cache keeps outlives a deploy: a programme's assessment (pickled dataclasses) for up
to a day, or a month as at a closed period, and the pages' drawn fragments. Read by a newer
release, a pickled value can miss attributes its classes have since gained, and a fragment
shows the older markup. So the keys carry the release (`CACHES`' `KEY_PREFIX`): a new release
starts with an empty cache and computes afresh, and processes of one release, on any machine,
share what they compute.

The release is `CODE_VERSION` from the environment where the deployment sets one (a commit
or image tag), else a digest of the code and templates themselves: the same files give the
same digest on every machine, and a changed file a new one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# What can change what is kept: the apps' code and the templates.
SOURCES = (
    "transformation",
    "programmes",
    "workstreams",
    "risks",
    "reporting",
    "plans",
    "templates",
)
SUFFIXES = (".py", ".html")


def code_digest(base: Path, sources=SOURCES) -> str:
    """Twelve hex digits of the SHA-256 of every source file's path and content, in order."""
    digest = hashlib.sha256()
    for source in sources:
        for path in sorted((base / source).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
