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


# --------------------------------------------------------------------------- settle time


def test_stable_with_a_settle_time_waits_for_it_whatever_the_poll_interval():
    r = Readiness("stable", settle_s=5.0)
    v = r.check([E("A.xml", 10, 100)], None, now=1000.0)
    assert v.ready == [] and v.observations == {"A.xml": (10, 100, 1000.0)}
    for now in (1000.5, 1001.0, 1004.9):  # polled often: unchanged, but not for 5 s yet
        v = r.check([E("A.xml", 10, 100)], v.observations, now=now)
        assert v.ready == [] and v.observations["A.xml"] == (10, 100, 1000.0)
    v = r.check([E("A.xml", 10, 100)], v.observations, now=1005.0)
    assert v.names == ["A.xml"]


def test_a_change_within_the_settle_time_starts_it_again():
    r = Readiness("stable", settle_s=5.0)
    v = r.check([E("A.xml", 10, 100)], None, now=0.0)
    v = r.check([E("A.xml", 10, 100)], v.observations, now=4.0)
    v = r.check([E("A.xml", 20, 104)], v.observations, now=4.5)  # the writer went on after a 4 s pause
    assert v.ready == [] and v.observations["A.xml"] == (20, 104, 4.5)
    v = r.check([E("A.xml", 20, 105)], v.observations, now=6.0)  # mtime only: changed too
    assert v.ready == [] and v.observations["A.xml"] == (20, 105, 6.0)
    v = r.check([E("A.xml", 20, 105)], v.observations, now=10.9)
    assert v.ready == []
    assert r.check([E("A.xml", 20, 105)], v.observations, now=11.0).names == ["A.xml"]


def test_a_settle_time_never_makes_an_empty_file_ready_and_one_sighting_is_never_enough():
    r = Readiness("stable", settle_s=0.0)
    v = r.check([E("A.xml", 10, 100), E("Z.xml", 0, 100)], None, now=0.0)
    assert v.ready == []  # first sighting: never ready, even with no settle time
    v = r.check([E("A.xml", 10, 100), E("Z.xml", 0, 100)], v.observations, now=99.0)
    assert v.names == ["A.xml"]
    # an observation from before settle times (no "since") starts the settle time now
    r5 = Readiness("stable", settle_s=5.0)
    v = r5.check([E("A.xml", 10, 100)], {"A.xml": (10, 100)}, now=50.0)
    assert v.ready == [] and v.observations["A.xml"] == (10, 100, 50.0)


def test_a_settle_time_needs_the_time_of_the_listing_and_a_sane_value():
    with pytest.raises(ValueError, match="needs the time"):
        Readiness("stable", settle_s=1.0).check([E("A.xml")], None)
    for bad in (-1, float("nan"), float("inf"), "5", True):
        with pytest.raises(ValueError, match="settle_s"):
            Readiness("stable", settle_s=bad)
    # marker mode: the marker says complete, the settle time does not apply
    assert Readiness("marker", settle_s=60.0).check([E("A.xml"), E("A.xml.done", 0)]).names == ["A.xml"]


def test_tracker_times_the_settle_time_and_forgets_a_file_that_changed_while_read():
    now = [0.0]
    t = ReadinessTracker("stable", settle_s=2.0, clock=lambda: now[0])
    assert t.observe([E("A.xml", 1, 1)]) == []
    now[0] = 1.0
    assert t.observe([E("A.xml", 1, 1)]) == []
    now[0] = 2.0
    assert [e.name for e in t.observe([E("A.xml", 1, 1)])] == ["A.xml"]
    t.forget("A.xml")  # it changed while it was read: the settle time starts again
    now[0] = 3.0
    assert t.observe([E("A.xml", 1, 1)]) == []
    now[0] = 5.0
    assert [e.name for e in t.observe([E("A.xml", 1, 1)])] == ["A.xml"]
