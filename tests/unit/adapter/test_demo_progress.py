"""The demo's stages as plain lines (output not a terminal) and its closing table of seconds."""
import io

import pytest
from rich.cells import cell_len

from adapter import demo_progress
from adapter.demo_progress import Stages


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = _Clock()
    monkeypatch.setattr(demo_progress.time, "monotonic", c)
    return c


def test_a_counted_stage_prints_rows_rate_and_time_left_at_most_every_interval_then_its_time(clock):
    out = io.StringIO()
    stages = Stages(out, every_s=10.0)
    with stages.stage("RCC01", "submit", 1_000) as bar:
        clock.now += 5
        bar.update(100)  # 5 s in: too soon for a line
        clock.now += 5
        bar.update(250)  # 10 s in: 250 rows at 25 rows/s, 750 left = 30 s
        clock.now += 2
        bar.update(300)  # 2 s after the last line: none
        clock.now += 28
        bar.update(1_000)
    assert out.getvalue().splitlines() == [
        "      RCC01 提交名册：250 / 1,000 行，25 行/秒，约剩 30 秒",
        "      RCC01 提交名册：1,000 / 1,000 行，25 行/秒，用时 40.0 秒",
    ]
    assert stages.seconds == {("RCC01", "submit"): 40.0} and stages.rows == {("RCC01", "submit"): 1_000}


def test_a_stage_out_of_sight_prints_its_time_only(clock):
    out = io.StringIO()
    stages = Stages(out, every_s=10.0)
    with stages.stage("ABC01", "dispatch") as bar:
        clock.now += 12
        bar.update(0)
        clock.now += 0.5
    assert out.getvalue().splitlines() == [
        "      ABC01 生成并上传代发文件：进行中，已用 12 秒",
        "      ABC01 生成并上传代发文件：完成，用时 12.5 秒",
    ]


def test_rows_passes_every_item_through_and_counts_them(clock):
    stages = Stages(io.StringIO())
    with stages.stage("RCC01", "submit", 2_500) as bar:
        assert list(bar.rows(range(2_500), every=1_000)) == list(range(2_500))
        assert bar.done == 2_500


def test_the_table_adds_each_banks_stages_and_a_stage_run_twice_counts_twice(clock):
    stages = Stages(io.StringIO())
    for bank, stage, seconds in (("RCC01", "submit", 3.0), ("RCC01", "book", 1.5), ("RCC01", "book", 0.5),
                                 ("PSBC01", "submit", 0.375)):
        with stages.stage(bank, stage):
            clock.now += seconds
    assert stages.seconds == {("RCC01", "submit"): 3.0, ("RCC01", "book"): 2.0, ("PSBC01", "submit"): 0.375}
    rows = stages.table().splitlines()
    assert rows[0] == "各阶段用时（秒）："
    assert rows[1].split() == ["RCC01", "PSBC01"]
    assert rows[2].split() == ["提交名册", "3.0s", "0.4s"]
    assert rows[3].split() == ["回盘入账", "2.0s"]
    assert rows[4].split() == ["合计", "5.0s", "0.4s"]
    # the columns line up whatever the width of the stage's name (a Chinese character takes two)
    assert cell_len(rows[1]) == cell_len(rows[2]) == cell_len(rows[4])
