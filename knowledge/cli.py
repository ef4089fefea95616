"""`python main.py ingest PATH`: ingest with a progress bar, then a summary and every problem found."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from config import Settings
from knowledge.embeddings import get_encoder
from knowledge.ingest import IngestReport, ProgressCallback, ingest
from knowledge.sources import ReadLimits
from storage.database import Database


async def run_ingest(settings: Settings, path: Path) -> int:
    """Exit status: 0 when everything was read (profiles of erased members are left out and listed, not
    a problem), 1 when some files had problems, 2 when nothing could run."""
    out = Console()
    err = Console(stderr=True)
    if not path.exists():
        err.print(f"[red]{path} does not exist.[/red]", highlight=False)
        return 2
    db = Database(settings.database_url, echo=settings.database_echo)
    try:
        await db.migrate()
        with err.status(f"Loading the embedding model {settings.embedding_model} …"):
            encoder = get_encoder(settings.embedding_model)
        with rich_progress("Embedding") as progress:
            report = await ingest(
                db,
                path,
                encoder,
                progress=progress,
                limits=ReadLimits.with_max_file_mb(settings.ingest_max_file_mb),
                waiting=lambda: err.print("Another ingest is running on this database; waiting for it to finish …"),
            )
    finally:
        await db.dispose()

    out.print(_summary_table(path, report))
    _print_skipped(err, report)
    _print_unconfirmed(err, report)
    if report.errors:
        err.print(f"[yellow]{len(report.errors)} problem(s); everything else was ingested:[/yellow]")
        for problem in report.errors:
            err.print(f"  {problem}", highlight=False, markup=False)
        return 1
    return 0


def _summary_table(path: Path, report: IngestReport) -> Table:
    table = Table(title=f"Ingest of {path}", show_header=False)
    table.add_row("added", str(len(report.added)))
    table.add_row("updated (re-embedded)", str(len(report.updated)))
    table.add_row("unchanged (skipped)", str(report.unchanged))
    table.add_row("removed", str(len(report.removed)))
    if report.skipped:
        table.add_row("skipped (erased members)", str(len(report.skipped)))
    if report.unconfirmed:
        table.add_row("awaiting their member's confirmation", str(len(report.unconfirmed)))
    table.add_row("organisations read", str(report.organisations))
    table.add_row("chunks embedded", str(report.chunks))
    rate = f"{report.chunks / report.seconds:,.1f}" if report.seconds and report.chunks else "—"
    table.add_row("time", f"{report.seconds:.1f} s ({rate} chunks/s)")
    return table


def _print_skipped(err: Console, report: IngestReport) -> None:
    if not report.skipped:
        return
    # Left out on purpose; the file's path is all that is said about the person.
    err.print(f"{len(report.skipped)} expert profile(s) left out because their member erased their data:")
    for skipped in report.skipped:
        err.print(f"  {skipped}", highlight=False, markup=False)


def _print_unconfirmed(err: Console, report: IngestReport) -> None:
    if not report.unconfirmed:
        return
    # Stored and searchable, but not the member's until they say so (docs/knowledge.md).
    err.print(f"{len(report.unconfirmed)} expert profile(s) name an existing member's account; linked once they confirm:")
    for waiting in report.unconfirmed:
        err.print(f"  {waiting}", highlight=False, markup=False)


@contextmanager
def rich_progress(label: str = "Embedding") -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr showing chunks and chunks per second."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class Rate(TextColumn):
        def render(self, task):  # noqa: ANN001, ANN202 - rich's API
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} chunks/s" if speed else "… chunks/s")

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(""), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update_bar(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        yield update_bar
