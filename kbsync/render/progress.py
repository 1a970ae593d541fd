"""Progress reporting while applying and waiting: a bar on a terminal, plain lines in CI.

The executor and the waiter only know the small ``Progress`` protocol; ``make_progress``
picks the implementation from the stream. All calls come from one thread (the one
collecting results), so the implementations need no locking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import ProgressColumn, TaskID

from kbsync.render.neutralise import neutralise


class Progress(Protocol):
    def start(self, total: int, label: str) -> None:
        """Begin a phase of ``total`` steps (a new phase replaces the previous one)."""
        ...

    def advance(self, n: int = 1) -> None: ...

    def update(self, message: str) -> None:
        """Say what is going on now (e.g. what is still processing)."""
        ...

    def close(self) -> None: ...


class NullProgress:
    """Reports nothing (library use, tests)."""

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def update(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


class LineProgress:
    """Plain lines for logs: one at each tenth of a phase and one per new message."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._label = ""
        self._total = 0
        self._done = 0
        self._last_tenth = -1
        self._last_message = ""

    def start(self, total: int, label: str) -> None:
        self._label, self._total, self._done = label, total, 0
        self._last_tenth, self._last_message = 0, ""
        self._write(f"{label}: 0/{total}")

    def advance(self, n: int = 1) -> None:
        self._done += n
        tenth = self._done * 10 // self._total if self._total else 10
        if tenth > self._last_tenth or self._done >= self._total:
            self._last_tenth = tenth
            self._write(f"{self._label}: {self._done}/{self._total}")

    def update(self, message: str) -> None:
        if message and message != self._last_message:
            self._last_message = message
            self._write(f"{self._label}: {message}")

    def close(self) -> None:
        self._stream.flush()

    def _write(self, line: str) -> None:
        self._stream.write(neutralise(line) + "\n")  # messages name remote items
        self._stream.flush()


def plain_bar_column(width: int = 40) -> ProgressColumn:
    """A bar in two characters, for NO_COLOR terminals: rich draws only the filled part
    of its bar without colour, so how much is left could not be seen. (Built here, not at
    import: rich is imported only when a bar is drawn.)"""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class PlainBarColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            done = int(width * task.completed / task.total) if task.total else 0
            done = max(0, min(width, done))
            return Text("━" * done + "─" * (width - done))

    return PlainBarColumn()


class BarProgress:
    """A rich progress bar, one task per phase, on an interactive terminal."""

    def __init__(self, stream: TextIO) -> None:
        # rich (about 40 ms to import) only when a bar is drawn, never in CI or for a plan
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichBar

        console = Console(file=stream)
        self._bar = RichBar(
            TextColumn("{task.description}"),
            plain_bar_column() if console.no_color else BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[message]}"),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._started = False

    def start(self, total: int, label: str) -> None:
        if not self._started:
            self._bar.start()
            self._started = True
        if self._task is not None:
            self._bar.stop_task(self._task)
        self._task = self._bar.add_task(_markup(label), total=total, message="")

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)
            if self._finished(self._task):  # "23/23 ... 1 crawl running" would be stale
                self._bar.update(self._task, message="")

    def update(self, message: str) -> None:
        if self._task is not None:
            self._bar.update(self._task, message=_markup(message))

    def _finished(self, task: TaskID) -> bool:
        return any(t.id == task and t.finished for t in self._bar.tasks)

    def close(self) -> None:
        if self._started:
            self._bar.stop()
            self._started = False


def make_progress(stream: TextIO) -> Progress:
    """A bar on a terminal, plain progress lines otherwise (CI, pipes, files)."""
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return BarProgress(stream)
    return LineProgress(stream)


def _markup(text: str) -> str:
    """Foreign text made inert for the terminal, then for rich's markup (rich is loaded by
    now: a bar is drawn)."""
    from rich.markup import escape

    return escape(neutralise(text))
