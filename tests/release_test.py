"""The release: one version, a changelog for it, a licence and metadata in the
wheel, and a hook manifest that says which pre-commit it needs."""

from __future__ import annotations

import email
import re
import subprocess
import zipfile
from pathlib import Path

import yaml

from alembic_heads import __version__
from helpers import PYTHON, ROOT, build_wheel

# The first pre-commit that knows each stage by the name the manifest uses.
STAGE_SINCE = {
    "pre-commit": "3.2.0",
    "pre-merge-commit": "3.2.0",
    "pre-push": "3.2.0",
    "post-rewrite": "2.15.0",
    "post-merge": "2.11.0",
    "post-checkout": "2.2.0",
    "manual": "0",
}


def test_the_changelog_opens_with_this_version() -> None:
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)

    assert headings[:1] == [__version__]


def test_each_hook_asks_for_a_pre_commit_that_knows_its_stages() -> None:
    manifest = ROOT / ".pre-commit-hooks.yaml"
    validated = subprocess.run(
        [PYTHON, "-m", "pre_commit", "validate-manifest", manifest], capture_output=True
    )

    assert validated.returncode == 0, validated.stdout
    for hook in yaml.safe_load(manifest.read_text()):
        stages = hook.get("stages", ())
        needed = max((STAGE_SINCE[stage] for stage in stages), key=_parts, default="0")
        assert hook.get("minimum_pre_commit_version", "0") == needed, hook["id"]


def test_the_wheel_carries_version_licence_and_metadata(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_wheel(tmp_path)) as archive:
        info = f"alembic_heads-{__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        licence = archive.read(f"{info}/licenses/LICENSE").decode()

    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata.get_all("Project-URL") == ["Homepage, https://pypi.org/project/alembic-heads/"]
    assert [c for c in metadata.get_all("Classifier") or () if "Python :: 3." in c] == [
        f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)
    ]
    assert "alembic-heads-post-write = alembic_heads.commands.post_write:main" in entry_points
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 alembic-heads contributors\n")


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
