"""sftp.readahead against a scripted SFTP peer: answers out of order, short answers, the end of
the file, a refused read. (The real sshd cases are in tests/integration/sftp.)"""
from __future__ import annotations

import errno
import random

import paramiko
import pytest
from paramiko.sftp import CMD_DATA, CMD_READ, CMD_STATUS, SFTP_EOF, SFTP_PERMISSION_DENIED

from sftp.readahead import ReadStats, read_pipelined


class FakePeer:
    """Stands for paramiko's SFTPClient: holds the file, answers queued READs in a chosen order."""

    def __init__(self, content: bytes, *, shuffle: random.Random | None = None, short_every: int = 0,
                 deny_offset: int | None = None):
        self.content = content
        self.shuffle = shuffle
        self.short_every = short_every  # every n-th answer carries only half of what was asked
        self.deny_offset = deny_offset
        self.queued: list[tuple[int, object, int, int]] = []
        self.number = 0
        self.answered = 0
        self.asked: list[tuple[int, int]] = []

    def _async_request(self, fileobj, t, handle, offset, length):
        assert t == CMD_READ and handle == b"h"
        self.number += 1
        self.queued.append((self.number, fileobj, int(offset), int(length)))
        self.asked.append((int(offset), int(length)))
        return self.number

    def _read_response(self):
        assert self.queued, "waiting for an answer nobody asked for"
        i = self.shuffle.randrange(len(self.queued)) if self.shuffle else 0
        num, fileobj, offset, length = self.queued.pop(i)
        self.answered += 1
        msg = paramiko.Message()
        if offset == self.deny_offset:
            msg.add_int(SFTP_PERMISSION_DENIED)
            t = CMD_STATUS
        elif offset >= len(self.content):
            msg.add_int(SFTP_EOF)
            t = CMD_STATUS
        else:
            if self.short_every and self.answered % self.short_every == 0 and length > 1:
                length //= 2
            msg.add_string(self.content[offset:offset + length])
            t = CMD_DATA
        msg.rewind()
        fileobj._async_response(t, msg, num)

    def _convert_status(self, msg):
        code = msg.get_int()
        if code == SFTP_EOF:
            raise EOFError("end of file")
        raise PermissionError(errno.EACCES, "Permission denied")


class FakeFile:
    def __init__(self, peer: FakePeer):
        self.sftp = peer
        self.handle = b"h"


CONTENT = bytes(random.Random(7).getrandbits(8) for _ in range(100_003))


def read(peer: FakePeer, size: int, **kw) -> tuple[bytes, ReadStats]:
    stats = ReadStats()
    data = b"".join(read_pipelined(FakeFile(peer), size, stats=stats, **kw))
    return data, stats


def test_answers_in_any_order_come_out_in_file_order_with_depth_requests_in_flight():
    peer = FakePeer(CONTENT, shuffle=random.Random(1))
    data, stats = read(peer, len(CONTENT), depth=8, segment=1000)
    assert data == CONTENT
    assert stats.requests == 101  # 100,003 bytes in segments of 1,000: 100 full and one of 3
    assert stats.peak_in_flight == 8
    assert peer.asked[-1] == (100_000, 3)


def test_short_answers_are_completed_by_asking_for_the_rest():
    peer = FakePeer(CONTENT, short_every=3)
    data, stats = read(peer, len(CONTENT), depth=4, segment=1000)
    assert data == CONTENT
    assert stats.short_answers > 0
    assert stats.requests == 101 + stats.short_answers


def test_a_file_shorter_than_stated_stops_at_its_end_without_error():
    peer = FakePeer(CONTENT[:2500])
    data, _ = read(peer, 10_000, depth=4, segment=1000)
    assert data == CONTENT[:2500]


def test_reads_stop_at_the_stated_size():
    peer = FakePeer(CONTENT)
    data, stats = read(peer, 5000, depth=16, segment=1000)
    assert data == CONTENT[:5000] and stats.requests == 5


def test_an_empty_file_sends_no_request():
    peer = FakePeer(b"")
    data, stats = read(peer, 0)
    assert data == b"" and stats.requests == 0 and peer.asked == []


def test_a_refused_read_is_raised_as_the_server_said():
    peer = FakePeer(CONTENT, deny_offset=3000)
    with pytest.raises(PermissionError):
        read(peer, len(CONTENT), depth=4, segment=1000)
