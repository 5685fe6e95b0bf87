"""scripts/system-deps.sh, which `make test` and `make demo` run first (issue 17, item 1).

Nothing here installs or removes anything: a missing dependency is made up (``--also`` names a
package and a path that does not exist, or a stand-in python3 that cannot make a virtual
environment), and the script runs with ``--check`` or as an ordinary user, when it must stop at
once with the command to run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-deps.sh"
FAKE = "ykt-no-such-package:/nonexistent/ykt-system-deps-probe"


def _run(*args: str, env: dict | None = None, script: Path = SCRIPT, as_nobody: bool = False):
    command = ["bash", str(script), *args]
    if as_nobody:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/",
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("target", ["demo", "test"])
def test_this_machine_has_what_each_command_needs(target):
    """What `make test` just ran before pytest: the real dependencies are found."""
    proc = _run("--check", target)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_a_missing_package_is_named_with_the_command_that_installs_it():
    proc = _run("--check", "test", "--also", FAKE)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert "system-deps: `make test` needs what this machine lacks:" in lines
    assert ("system-deps:   /nonexistent/ykt-system-deps-probe: install the Debian package ykt-no-such-package"
            in lines)
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert f"    {sudo}bash scripts/system-deps.sh test" in lines  # the one command to run
    assert "system-deps: (as root it does: apt-get install -y ykt-no-such-package)" in lines
    assert "installing" not in proc.stderr  # --check changes nothing, even as root


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become another user")
def test_an_ordinary_user_is_stopped_at_once_never_installing():
    proc = _run("test", "--also", FAKE, as_nobody=True)
    assert proc.returncode == 1
    assert "    sudo bash scripts/system-deps.sh test" in proc.stderr.splitlines()
    assert "installing" not in proc.stderr and "running:" not in proc.stderr


def test_the_demo_does_not_need_what_only_the_tests_need():
    env = {"YKT_TEST_SSHD": "/nonexistent/sshd", "YKT_CJK_FONT": "/nonexistent/font.ttc"}
    assert _run("--check", "demo", env=env).returncode == 0
    proc = _run("--check", "test", env=env)
    assert proc.returncode == 1
    assert "YKT_TEST_SSHD=/nonexistent/sshd is not an executable sshd" in proc.stderr
    assert "YKT_CJK_FONT=/nonexistent/font.ttc is not a file" in proc.stderr


def test_a_python_without_venv_is_found_before_the_virtual_environment_is_made(tmp_path):
    """A bare Debian's python3 lacks ensurepip until python3-venv is installed: `python3 -m venv`
    fails. Checked only while .venv does not exist, so the script runs from a copy."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "system-deps.sh")
    stand_in = tmp_path / "bin" / "python3"
    stand_in.parent.mkdir()
    real = shutil.which("python3")
    stand_in.write_text(f'#!/bin/sh\nif [ "$1" = -m ] && [ "$2" = venv ]; then echo "ensurepip is not available" >&2; '
                        f'exit 1; fi\nexec {real} "$@"\n', encoding="utf-8")
    stand_in.chmod(0o755)
    copy = tmp_path / "scripts" / "system-deps.sh"
    path = f"{stand_in.parent}:{os.environ['PATH']}"
    proc = _run("--check", "demo", script=copy, env={"PATH": path})
    assert proc.returncode == 1
    assert "install the Debian package python3-venv" in proc.stderr
    assert "(as root it does: apt-get install -y python3-venv)" in proc.stderr
    stand_in.write_text(f'#!/bin/sh\nexec {real} "$@"\n', encoding="utf-8")  # a python3 that can
    assert _run("--check", "demo", script=copy, env={"PATH": path}).returncode == 0


def test_the_makefile_and_ci_run_the_script_first():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        recipe = makefile.split(f"\n{target}:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert recipe[0].strip() == f"@bash scripts/system-deps.sh {target}", recipe
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci[-1] == "make test"
    assert not any("apt-get" in line or "pg_ctlcluster" in line for line in ci)
