"""``python -m integration_tests.fakes.harvest|remote``: one clean start, the URLs on stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from integration_tests import fakes
from integration_tests.fakes.harvest import HarvestFake
from tests.fakes.conftest import COMPANY_PATH, TENANT_PATH

ROOT = Path(__file__).resolve().parents[2]
OWN_TEST_FOLDERS = ("tests/destination", "tests/rules", "tests/fakes")
# Spelled in parts so that this file does not match itself. CI runs on a clean clone.
OUTSIDE_PATHS = ("/work/" + "shared", "shared/" + "fixtures")


def first_lines(module: str, data: Path, count: int) -> tuple[list[str], str]:
    """The first ``count`` stdout lines of a standalone fake, and its stderr once stopped."""
    command = [sys.executable, "-W", "error::RuntimeWarning", "-m", module, "--data", str(data)]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as fake:
        assert fake.stdout is not None
        try:
            lines = [fake.stdout.readline().rstrip("\n") for _ in range(count)]
        finally:
            fake.terminate()
        _, stderr = fake.communicate(timeout=30)
    return lines, stderr


def test_standalone_harvest_fake_prints_base_and_token_url_without_warnings() -> None:
    lines, stderr = first_lines("integration_tests.fakes.harvest", TENANT_PATH, 2)

    assert lines[0].startswith("base_url=http://127.0.0.1:")
    assert lines[1] == f"token_url={lines[0].removeprefix('base_url=')}/token"
    assert "RuntimeWarning" not in stderr and "Traceback" not in stderr


def test_standalone_remote_fake_prints_its_base_url_without_warnings() -> None:
    lines, stderr = first_lines("integration_tests.fakes.remote", COMPANY_PATH, 1)

    assert lines[0].startswith("base_url=http://127.0.0.1:")
    assert "RuntimeWarning" not in stderr and "Traceback" not in stderr


def test_package_exports_the_fakes_lazily() -> None:
    assert fakes.HarvestFake is HarvestFake
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchFake'"):
        _ = fakes.NoSuchFake


@pytest.mark.parametrize("folder", OWN_TEST_FOLDERS)
def test_tests_read_nothing_outside_the_repository(folder: str) -> None:
    outside = [
        f"{path.relative_to(ROOT)}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if any(text in path.read_text("utf-8") for text in OUTSIDE_PATHS)
    ]

    assert outside == []
