"""`tthc` command line: catalog import, index build, search, evaluation."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge_base.settings import get_settings

app = typer.Typer(help="Trợ lý TTHC command line.", no_args_is_help=True)
kb_app = typer.Typer(help="Knowledge base: import, build, search.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
console = Console(stderr=True)
STATUSES = ("full", "partial", "none", "empty")


def _store():
    from knowledge_base.store import KnowledgeStore

    return KnowledgeStore(get_settings().database_url)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Configure logging for every command."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@kb_app.command("import")
def import_catalog(
    source: Annotated[Path | None, typer.Option(help="Catalog directory.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show the diff.")] = False,
) -> None:
    """Import the portal's procedure JSON files (idempotent; shows a diff)."""
    from knowledge_base.importer import read_catalog
    from knowledge_base.seeding import seed_store

    settings = get_settings()
    directory = settings.resolve(source) if source else settings.catalog_path
    try:
        result = read_catalog(directory)
    except FileNotFoundError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    _print_report(result.report, len(result.procedures))
    for skipped in result.errors:
        console.print(f"[yellow]skipped[/yellow] {skipped.path}: {skipped.reason}")
    store = _store()
    if dry_run:
        diff = store.diff_catalog(result)
    else:
        report = {name: dict(counts) for name, counts in result.report.items()}
        diff = store.apply_catalog(result, str(directory), report=report)
        seeded = seed_store(store)
        console.print(f"seed data: {seeded}")
    console.print(
        f"procedures: {len(result.procedures)} read, {len(result.errors)} file(s) skipped"
    )
    console.print(
        f"diff: {len(diff.added)} added, {len(diff.changed)} changed, "
        f"{len(diff.removed)} removed, {diff.unchanged} unchanged"
        + (f", {len(diff.reparsed)} re-read by a newer parser" if diff.reparsed else "")
        + (" (dry run: nothing written)" if dry_run else "")
    )
    for label, codes in (
        ("added", diff.added),
        ("changed", diff.changed),
        ("removed", diff.removed),
    ):
        if codes and len(codes) <= 40:
            console.print(f"  {label}: {', '.join(codes)}")
    for code, flags in diff.flagged.items():
        console.print(
            f"  [yellow]flagged[/yellow] {code}: {', '.join(flags)} (kept out of answers)"
        )


def _print_report(report: dict, total: int) -> None:
    table = Table(title=f"Parse report ({total} procedures)")
    table.add_column("field")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for name, counts in sorted(report.items()):
        table.add_row(name, *(str(counts.get(s, 0)) for s in STATUSES))
    console.print(table)


@kb_app.command("show")
def show(code: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print one procedure."""
    from knowledge_base.errors import NotFoundError

    try:
        procedure = _store().procedure(code)
    except NotFoundError:
        console.print(
            f"[red]Unknown procedure code {code!r}. "
            f"Codes look like 1.001193; run `tthc kb import` first if the store is empty.[/red]"
        )
        raise typer.Exit(2) from None
    if as_json:
        payload = procedure.model_dump(mode="json", exclude={"raw"})
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(f"[bold]{procedure.code}[/bold] {procedure.name} ({procedure.field})")
    for channel in procedure.channels:
        console.print(
            f"  {channel.method.value}: {channel.processing_time.text or '-'} | "
            f"{channel.fee.text or '-'}"
        )
    for group in procedure.document_groups:
        console.print(f"  [{group.kind.value}] {group.case or ''}")
        for document in group.documents:
            console.print(f"    - {document.name} ({document.copies})")


@kb_app.command("export")
def export(file: Path) -> None:
    """Write FAQ entries, phrasings and office info to a JSON backup file."""
    from knowledge_base.backup import export_kb

    data = export_kb(_store())
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(file.suffix + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(file)
    console.print(
        f"exported {len(data['faqs'])} FAQ entries, {len(data['aliases'])} phrasings, "
        f"{len(data['office_info'])} office facts → {file}"
    )


@kb_app.command("restore")
def restore(file: Path) -> None:
    """Merge a backup written by `tthc kb export` into the knowledge base."""
    from knowledge_base.backup import restore_kb
    from knowledge_base.errors import InvalidInputError

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        counts = restore_kb(_store(), data)
    except (OSError, json.JSONDecodeError, InvalidInputError) as error:
        console.print(f"[red]cannot restore {file}: {error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"restored: {counts}")


@kb_app.command("build")
def build() -> None:
    """Train the embedding model, build the indexes and fit the calibration."""
    from knowledge_base.build import run_build

    settings = get_settings()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=max(total, done))

        try:
            path = run_build(settings, _store(), progress=report)
        except (RuntimeError, FileNotFoundError) as error:
            console.print(f"[red]build failed: {error}[/red] (the previous index is still in use)")
            raise typer.Exit(1) from error
    manifest = json.loads((path / "manifest.json").read_text())
    console.print(
        f"index built in {manifest['seconds']} s: {manifest['targets']} targets, "
        f"{manifest['entries']} keys → {path}"
    )


@kb_app.command("search")
def search(
    question: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int, typer.Option(min=1, max=20)] = 5,
) -> None:
    """Search the knowledge base like the assistant does."""
    from knowledge_base.errors import IndexNotReadyError
    from knowledge_base.service import KnowledgeBase

    try:
        result = KnowledgeBase().search(question, limit=limit)
    except IndexNotReadyError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    if as_json:
        sys.stdout.write(
            json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        )
        return
    console.print(
        f"decision: [bold]{result.decision.value}[/bold] (confidence {result.confidence:.2f})"
    )
    for rank, hit in enumerate(result.hits, 1):
        console.print(f"{rank}. [{hit.type.value}] {hit.id} {hit.title} ({hit.confidence:.2f})")


@app.command("eval")
def evaluate(
    questions: Path,
    json_out: Annotated[Path | None, typer.Option("--json")] = None,
    systems: Annotated[
        str, typer.Option(help="Comma-separated: ours (the resolver), retriever, bm25, minilm.")
    ] = "ours,retriever,bm25,minilm",
    details: Annotated[
        Path | None, typer.Option("--details", help="Write one JSON line per question here.")
    ] = None,
) -> None:
    """Evaluate the resolver, the raw retriever and two baselines on a JSONL set, three views."""
    from knowledge_base.evaluate import print_report, run_evaluation

    if not questions.is_file():
        console.print(f"[red]question file not found: {questions}[/red]")
        raise typer.Exit(1)
    rows: list[dict[str, object]] | None = [] if details else None
    names = [s.strip() for s in systems.split(",") if s.strip()]
    report = run_evaluation(questions, names, rows)
    print_report(report, Console(width=160))
    if details and rows is not None:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
        )
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
