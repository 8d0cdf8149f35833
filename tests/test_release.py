"""The shared cache's keys carry the release (transformation/release.py): what one release
computed is never read by another."""

import os
import subprocess
import sys
from pathlib import Path

from transformation.release import code_digest

ROOT = Path(__file__).resolve().parents[1]


def tree(base: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    return base


def test_the_digest_changes_with_a_template_or_the_code_and_nothing_else(tmp_path):
    base = tree(
        tmp_path,
        {
            "templates/page.html": "<p>{{ a }}</p>",
            "programmes/rules.py": "X = 1\n",
            "programmes/notes.txt": "not code",
            "programmes/__pycache__/cached.py": "left by a tool",  # no source
        },
    )
    sources = ("programmes", "templates")
    first = code_digest(base, sources)
    assert code_digest(base, sources) == first  # the same files, the same release

    (base / "programmes/notes.txt").write_text("changed, not code")
    (base / "programmes/__pycache__/cached.py").write_text("left again")
    assert code_digest(base, sources) == first

    (base / "templates/page.html").write_text("<p>{{ b }}</p>")
    after_template = code_digest(base, sources)
    assert after_template != first
    (base / "programmes/rules.py").write_text("X = 2\n")
    assert code_digest(base, sources) not in (first, after_template)
    # A file moved is a change too, its content the same.
    (base / "programmes/rules.py").rename(base / "programmes/rule.py")
    assert len({first, after_template, code_digest(base, sources)}) == 3


def _prefix(**environment) -> str:
    """The cache's key prefix as a process of the app configures it, with Redis."""
    env = {name: value for name, value in os.environ.items() if name != "CODE_VERSION"}
    env.update(
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SETTINGS_MODULE="transformation.settings",
        **environment,
    )
    script = "import django; django.setup(); from django.conf import settings; " + (
        "print(settings.CACHES['default']['KEY_PREFIX'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_cache_keys_carry_the_release_after_the_deployments_prefix():
    assert _prefix() == code_digest(ROOT)
    assert _prefix(CACHE_KEY_PREFIX="harrow-", CODE_VERSION="v2026.11") == "harrow-v2026.11"
