"""A progress bar on a terminal, nothing at all under cron."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm


class TqdmProgress:
    def __init__(self, bar: tqdm) -> None:
        self.bar = bar

    def grow(self, n: int) -> None:
        self.bar.total = (self.bar.total or 0) + n
        self.bar.refresh()

    def advance(self, n: int) -> None:
        self.bar.update(n)


class NoProgress:
    def grow(self, n: int) -> None:
        """Nothing to show."""

    def advance(self, n: int) -> None:
        """Nothing to show."""


@contextmanager
def progress_bar(label: str, enabled: bool | None = None) -> Iterator[TqdmProgress | NoProgress]:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield NoProgress()
        return
    with tqdm(total=None, desc=label, unit="msg", file=sys.stderr, leave=False) as bar:
        yield TqdmProgress(bar)
