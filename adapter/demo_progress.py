"""Progress of ``ykt demo``, one bar per stage, and the time each stage took.

A million-line demo runs for many minutes; a person watching it wants to see which stage it is
in, how many rows are done, how fast and how long is left (where the demo can know: the rows it
streams itself; a stage the service or the bank does out of sight shows its elapsed time and
the rows once they are known). On a terminal the bars are drawn by rich; when the output is not
a terminal (a log, a pipe, a test) the same facts come as plain lines, at most one every
``every_s`` seconds and one at the end of each stage, so a log stays readable.

The seconds of every stage are kept by (bank, stage) for the closing table, which is what
bench/RESULTS.md records for a timed run.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from rich.cells import cell_len
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

import i18n


class _Rate(ProgressColumn):
    """Rows per second, or nothing while the rows are not known."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} {i18n.say('demo.rows_per_s')}" if speed else "", style="progress.data.speed")


class Bar:
    """One stage's progress: rows done of ``total`` (None while not known)."""

    def __init__(self, stages: Stages, label: str, total: int | None) -> None:
        self.stages, self.label, self.total = stages, label, total
        self.done = 0
        self.started = time.monotonic()
        self._printed = self.started
        self._task = None

    def advance(self, rows: int = 1) -> None:
        self.update(self.done + rows)

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.stages.progress is not None:
            self.stages.progress.update(self._task, completed=done, total=self.total)
            return
        now = time.monotonic()
        finished = self.total is not None and done >= self.total  # the stage's end line says it
        if not finished and now - self._printed >= self.stages.every_s:
            self._printed = now
            self.stages.say("      " + self._plain(now))

    def rows(self, items: Iterable, every: int = 1_000) -> Iterator:
        """``items`` passed through, counted (in steps of ``every`` rows, to stay cheap)."""
        n = 0
        for n, item in enumerate(items, 1):
            if n % every == 0:
                self.update(n)
            yield item
        self.update(n)

    def _plain(self, now: float, end: bool = False) -> str:
        spent = now - self.started
        if not self.done:  # rows not known (yet): the stage happens out of the demo's sight
            return i18n.say("demo.progress.waiting" if not end else "demo.progress.done", label=self.label,
                            seconds=spent)
        rate = self.done / spent if spent > 0 else 0.0
        text = i18n.say("demo.progress.rows", label=self.label, done=self.done,
                        total=f"{self.total:,}" if self.total is not None else "?", rate=rate)
        if end:
            return text + i18n.say("demo.progress.took", seconds=spent)
        if self.total and rate:
            text += i18n.say("demo.progress.left", seconds=(self.total - self.done) / rate)
        return text


class Stages:
    """The demo's stages as they run: a bar each, and their seconds by (bank, stage)."""

    def __init__(self, out=sys.stdout, every_s: float = 10.0, live: bool | None = None) -> None:
        self.out = out
        self.every_s = every_s
        isatty = getattr(out, "isatty", None)
        self.live = bool(isatty and isatty()) if live is None else live
        self.console = Console(file=out) if self.live else None
        self.progress: Progress | None = None
        self.seconds: dict[tuple[str, str], float] = {}
        self.rows: dict[tuple[str, str], int] = {}

    def say(self, text: str) -> None:
        if self.console is not None:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=self.out, flush=True)

    @contextmanager
    def stage(self, bank: str, stage: str, total: int | None = None) -> Iterator[Bar]:
        """Time ``stage`` (a key of the demo's catalogue, ``demo.stage.*``) for ``bank``, with a bar."""
        label = f"{bank} {i18n.say(f'demo.stage.{stage}')}"
        bar = Bar(self, label, total)
        if self.console is not None:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
                TimeElapsedColumn(), TimeRemainingColumn(), console=self.console, transient=False)
            self.progress.start()
            bar._task = self.progress.add_task(label, total=total)
        try:
            yield bar
        finally:
            if self.progress is not None:
                if bar.total is not None and bar.done >= bar.total:
                    self.progress.update(bar._task, completed=bar.total)
                self.progress.stop()
                self.progress = None
            else:
                self.say("      " + bar._plain(time.monotonic(), end=True))
            key = (bank, stage)
            self.seconds[key] = self.seconds.get(key, 0.0) + time.monotonic() - bar.started
            self.rows[key] = self.rows.get(key, 0) + bar.done

    def table(self) -> str:
        """Seconds per stage and bank, in the order they ran, with each bank's total."""
        banks = list(dict.fromkeys(b for b, _ in self.seconds))
        stages = list(dict.fromkeys(s for _, s in self.seconds))
        names = {s: i18n.say(f"demo.stage.{s}") for s in stages}
        width = max((cell_len(n) for n in names.values()), default=8) + 2

        def pad(text: str) -> str:  # Chinese characters take two columns
            return "  " + text + " " * (width - cell_len(text))

        lines = [i18n.say("demo.timing.title"), pad("") + "".join(f"{b:>12}" for b in banks)]
        for s in stages:
            lines.append(pad(names[s]) + "".join(
                f"{self.seconds[(b, s)]:>11.1f}s" if (b, s) in self.seconds else " " * 12 for b in banks))
        lines.append(pad(i18n.say("demo.timing.total")) + "".join(
            f"{sum(v for (b2, _), v in self.seconds.items() if b2 == b):>11.1f}s" for b in banks))
        return "\n".join(lines)
