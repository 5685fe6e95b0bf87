"""Pure unit tests (no server) for sftp.readiness and SftpEndpoint."""
from __future__ import annotations

from pathlib import Path

import pytest

from sftp import SftpEndpoint
from sftp.readiness import Entry, Readiness, ReadinessTracker, is_candidate_name


def E(name, size=10, mtime=100, is_file=True):
    return Entry(name, size, mtime, is_file)


@pytest.mark.parametrize(
    "name, ok",
    [
        ("R.xml", True),
        (".R.xml", False),
        (".R.xml.part", False),
        ("R.xml.part", False),
        ("R.xml.tmp", False),
        ("R.XML.TMP", False),
        ("R.xml.done", False),
        ("R.txt", False),  # suffix filter
    ],
)
def test_candidate_names(name, ok):
    assert is_candidate_name(name, ".xml") is ok


def test_stable_needs_an_unchanged_second_sighting():
    r = Readiness("stable")
    v1 = r.check([E("A.xml", 10, 100), E("B.xml", 5, 100)])
    assert v1.ready == [] and v1.observations == {"A.xml": (10, 100), "B.xml": (5, 100)}
    v2 = r.check([E("A.xml", 10, 100), E("B.xml", 7, 101)], v1.observations)
    assert v2.names == ["A.xml"]
    v3 = r.check([E("A.xml", 10, 100), E("B.xml", 7, 101)], v2.observations)
    assert v3.names == ["A.xml", "B.xml"]


def test_stable_rejects_mtime_only_change_and_empty_files():
    r = Readiness("stable")
    prev = {"A.xml": (10, 100), "Z.xml": (0, 100)}
    v = r.check([E("A.xml", 10, 101), E("Z.xml", 0, 100)], prev)
    assert v.ready == []
    assert v.observations == {"A.xml": (10, 101), "Z.xml": (0, 100)}


def test_stable_drops_vanished_names_and_ignores_dirs_and_temps():
    r = Readiness("stable", suffix=".xml")
    prev = {"GONE.xml": (1, 1), "A.xml": (3, 3), "dir.xml": (4096, 1)}
    v = r.check([E("A.xml", 3, 3), E("dir.xml", 4096, 1, is_file=False), E(".A.xml.part", 3, 3),
                 E("A.xml.tmp", 3, 3), E("notes.txt", 3, 3)], prev)
    assert v.names == ["A.xml"]
    assert v.observations == {"A.xml": (3, 3)}


def test_marker_mode():
    r = Readiness("marker", suffix=".xml")
    listing = [E("A.xml"), E("A.xml.done", 0), E("B.xml"), E("C.xml.done", 0), E(".D.xml"),
               E(".D.xml.done", 0)]
    assert r.check(listing).names == ["A.xml"]
    # previous observations do not matter in marker mode
    assert r.check(listing, {"B.xml": (10, 100)}).names == ["A.xml"]


def test_tracker_remembers_observations():
    t = ReadinessTracker("stable")
    assert t.observe([E("A.xml", 1, 1)]) == []
    assert [e.name for e in t.observe([E("A.xml", 1, 1)])] == ["A.xml"]
    assert t.observe([E("A.xml", 2, 2)]) == []


def test_bad_completion_mode():
    with pytest.raises(ValueError):
        Readiness("eventually")


def test_endpoint_repr_hides_secrets(monkeypatch):
    monkeypatch.setenv("YKT_RCC01_SFTP_PASSWORD", "s3cret-pass")
    ep = SftpEndpoint("bank.example", 22, "ykt", "/keys/id_ed25519",
                      host_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKLzvMXzG93Je0CLLbJf",
                      password_env="YKT_RCC01_SFTP_PASSWORD", name="RCC01")
    text = repr(ep) + str(ep) + f"{ep}"
    assert "s3cret-pass" not in text and "AAAAC3" not in text
    assert "bank.example" in text and "YKT_RCC01_SFTP_PASSWORD" in text
    assert isinstance(ep.private_key_path, Path)
    assert ep.bank == "RCC01 (bank.example:22)"
    assert SftpEndpoint("bank.example", 22, "ykt", None).bank == "bank.example:22"
    with pytest.raises(ValueError):
        SftpEndpoint("h", 0, "u", None)


@pytest.mark.parametrize("field", ["password_env", "passphrase_env"])
def test_endpoint_takes_the_name_of_a_variable_never_a_secret(field):
    with pytest.raises(ValueError, match="name of an environment variable"):
        SftpEndpoint("h", 22, "u", None, **{field: "s3cret-pass!"})
    with pytest.raises(TypeError):
        SftpEndpoint("h", 22, "u", None, password="s3cret-pass")  # no such field


@pytest.mark.parametrize("kw", [{"retry_attempts": 0}, {"retry_base_s": -1}, {"retry_cap_s": -0.5},
                                {"timeout_s": 0}, {"use_agent": "yes"}])
def test_endpoint_refuses_bad_settings(kw):
    with pytest.raises(ValueError):
        SftpEndpoint("h", 22, "u", None, **kw)
