"""The ``chancery`` command: one entry point over Django management commands.

Every command takes ``--data-dir DIR`` (default ``./chancery-data`` or ``CHANCERY_DATA_DIR``):
the folder with the SQLite database, the secret key, outgoing mail and the demo logins.
Django is set up only after the data folder is known, since the settings read it.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from chancery.bootstrap import setup

DATA_DIR_HELP = "Folder for the database, keys, mail and logins (default ./chancery-data)."


_setup = setup  # every command sets Django up through chancery.bootstrap


def data_dir_option(f: Any) -> Any:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        envvar="CHANCERY_DATA_DIR",
        default=None,
        help=DATA_DIR_HELP,
    )(f)


@click.group()
@click.version_option(package_name="chancery")
def main() -> None:
    """Chancery: foreign correspondence to a principal, with no silent withholding."""


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Web server worker processes.",
)
@click.option("--no-serve", is_flag=True, help="Load the demo world and exit (no server).")
def demo(data_dir: str | None, host: str, port: int, workers: int, no_serve: bool) -> None:
    """Create a SQLite database, load the November 2020 world, start the server and worker."""
    os.environ.setdefault("DATABASE_URL", "sqlite://")
    path = _setup(data_dir)
    from chancery.demo.runner import prepare, run

    info = prepare(path)
    if no_serve:
        click.echo(f"Demo world ready in {path}; logins in {info['logins_file']}.")
        return
    run(path, info, host=host, port=port, workers=workers)


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Apply database migrations before serving.",
)
def serve(data_dir: str | None, host: str, port: int, workers: int, migrate: bool) -> None:
    """Run the web server (gunicorn, several worker processes)."""
    _setup(data_dir)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    from chancery.gunicorn_conf import gunicorn_argv

    # gunicorn replaces this process (same pid, so a supervisor signals the master itself); its
    # workers die with it, even on SIGKILL (see chancery/gunicorn_conf.py).
    os.execvp(sys.executable, gunicorn_argv(host, port, workers))  # noqa: S606


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command()
@data_dir_option
@click.option("--once", is_flag=True, help="Run one pass and exit.")
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=None,
    help="Seconds between passes (default CHANCERY_WORKER_INTERVAL, 2).",
)
def worker(data_dir: str | None, once: bool, interval: float | None) -> None:
    """Expire holds, escalate overdue messages, send mail, detect languages."""
    _setup(data_dir)
    from chancery.worker import run_forever, run_once

    if once:
        click.echo(str(run_once()))
        return
    click.echo("Chancery worker running; Ctrl-C to stop.")
    # SIGTERM (kill, systemd, Kubernetes) stops it as Ctrl-C does: a transaction in hand is
    # rolled back, what earlier steps committed stays, and the sequencer thread is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        run_forever(interval)
    except KeyboardInterrupt:
        click.echo("Chancery worker stopped.")


@main.command()
@data_dir_option
def migrate(data_dir: str | None) -> None:
    """Create or update the database schema."""
    _setup(data_dir)
    from django.core.management import call_command

    call_command("migrate", interactive=False)


@main.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for machines).")
def status(data_dir: str | None, as_json: bool) -> None:
    """When the worker and the sequencer last ran and what they did, the age of the log's
    checkpoint, the open integrity alerts and the overdue action. Exit 1 when a process is
    silent or has never run, the checkpoint is stale, an integrity alert is open or work the
    worker should have done is overdue."""
    _setup(data_dir)
    import json

    from django.utils import timezone

    from chancery.calls.services.overdue import overdue_call_action
    from chancery.correspondence.services import overdue_action_everywhere
    from chancery.ledger import integrity, liveness

    states = liveness.processes()
    head = liveness.checkpoint()
    alerts = integrity.open_alerts()
    overdue = overdue_action_everywhere()
    calls_overdue = overdue_call_action()
    overdue_kinds: list[Any] = [*overdue.kinds, *calls_overdue]
    problems = [
        " ".join(p for p in (s.headline, s.consequence, s.remedy) if p)
        for s in states
        if not s.ok
    ]
    if head is None:
        problems.append("The log has no signed checkpoint yet: the sequencer has never run.")
    elif head.stale:
        problems.append(head.headline)
    problems += [f"Integrity alert: {a.headline}." for a in alerts]

    def since(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "?"

    problems += [
        f"Overdue action: {k.count} {k.label}, the oldest due since {since(k.since)}: {k.should}."
        for k in overdue_kinds
    ]
    if as_json:
        click.echo(json.dumps({
            "ok": not problems,
            "processes": [s.as_json() for s in states],
            "log": head.as_json() if head else None,
            "integrity_alerts": [a.as_json() for a in alerts],
            "overdue_action": {k.kind: {"count": k.count, "since": k.since.isoformat()
                                        if k.since else None}
                               for k in overdue_kinds},
            "problems": problems,
        }, indent=2))
        sys.exit(1 if problems else 0)
    width = max(len(s.name) for s in states)
    for s in states:
        if s.last_run is None:
            when = "never ran"
        else:
            at = timezone.localtime(s.last_run).strftime("%Y-%m-%d %H:%M:%S %Z")
            when = f"last ran {liveness.seconds(s.age or 0)} ago ({at})"
        line = (
            f"{s.name:<{width}}  {'ok    ' if s.ok else 'SILENT'}  {when}, runs every "
            f"{liveness.seconds(s.interval)}, silent after {liveness.seconds(s.allowed_silence)}"
        )
        if s.pid is not None:
            line += f"; pid {s.pid} on {s.host or '?'}, chancery {s.version or '?'}"
        if s.summary:
            line += f"; last run: {s.did}"
        click.echo(line)
    if head is not None:
        verb = "stamped" if head.stamped else "signed"
        click.echo(
            f"{'log':<{width}}  {'STALE ' if head.stale else 'ok    '}  checkpoint of size "
            f"{head.size:,}, {verb} {liveness.seconds(head.age)} ago, stale after "
            f"{liveness.seconds(head.stale_after)}"
        )
    queued = integrity.queued_rows()
    click.echo(
        f"{'integrity':<{width}}  {'ALERT ' if alerts else 'ok    '}  {len(alerts)} open "
        f"alert{'' if len(alerts) == 1 else 's'}; {queued:,} changed row"
        f"{'' if queued == 1 else 's'} waiting for the worker's comparison"
    )
    click.echo(
        f"{'overdue':<{width}}  {'LATE  ' if overdue else 'ok    '}  {overdue.total.count} "
        f"message{'' if overdue.total.count == 1 else 's'} waiting for work the worker does "
        "by itself"
    )
    late_calls = sum(k.count for k in calls_overdue)
    click.echo(
        f"{'calls':<{width}}  {'LATE  ' if late_calls else 'ok    '}  {late_calls} call "
        f"item{'' if late_calls == 1 else 's'} (gated requests, solves, invitations) waiting "
        "for work the worker does by itself"
    )
    for problem in problems:
        click.echo(f"FAILED: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(
        "OK: every process ran within its allowed silence; the log's checkpoint is fresh; no "
        "integrity alert is open; nothing is overdue."
    )


@main.group()
def token() -> None:
    """API bearer tokens."""


@token.command("create")
@data_dir_option
@click.argument("username")
@click.option("--name", default="", help="A label for the token.")
def token_create(data_dir: str | None, username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    _setup(data_dir)
    from django.contrib.auth.models import User

    from chancery.accounts.models import ApiToken

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(
            f"No user {username!r}. Create it in the admin or with the demo."
        )
    _, secret = ApiToken.issue(user, name=name)
    click.echo(secret)


@main.command("import")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--as", "username", required=True, help="The officer or liaison recording the messages."
)
@click.option("--format", "fmt", type=click.Choice(["auto", "json", "csv"]), default="auto")
def import_(data_dir: str | None, file: str, username: str, fmt: str) -> None:
    """Import messages from a JSON list or a CSV file (re-running never duplicates)."""
    _setup(data_dir)
    from chancery.correspondence.importer import ImportFailed, import_file

    try:
        result = import_file(Path(file), username=username, fmt=fmt)
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{result.created} imported, {result.existing} already present, "
        f"{len(result.errors)} rejected."
    )
    for line in result.errors:
        click.echo(f"  {line}", err=True)
    if result.errors:
        sys.exit(1)


@main.group()
def principal() -> None:
    """Principals and their transition status."""


@principal.command("status")
@data_dir_option
@click.argument("slug")
@click.argument(
    "status", type=click.Choice(["candidate", "projected", "ascertained", "inaugurated"])
)
@click.option("--as", "username", required=True, help="An admin.")
@click.option("--note", default="", help="Why; required when messages are released or held.")
@click.option(
    "--confirm",
    type=click.IntRange(0),
    default=None,
    help="The number of messages the change releases or holds (it is refused, naming the "
    "number, until you give it).",
)
def principal_status(
    data_dir: str | None, slug: str, status: str, username: str, note: str,
    confirm: int | None,
) -> None:
    """Record SLUG's transition status; opening the gate delivers held messages in order.

    A change that moves messages is refused until confirmed: run it once to be told how many,
    then again with --confirm N --note "why"."""
    _setup(data_dir)
    from django.contrib.auth.models import User

    from chancery.directory.access import principal_by_slug
    from chancery.directory.services import set_principal_status
    from chancery.errors import ChanceryError

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"No user {username!r}")
    try:
        target = principal_by_slug(slug)
        released = set_principal_status(
            target, by=user, status=status, note=note, confirm=confirm
        )
    except ChanceryError as exc:
        raise click.ClickException(exc.message) from None
    messages = [r for r in released if r._meta.model_name == "message"]
    others = [r for r in released if r._meta.model_name != "message"]
    line = f"{slug} is now {status}; {len(messages)} held message(s) delivered."
    if others:
        line += f" {len(others)} call request(s) released into the call queue."
    click.echo(line)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@data_dir_option
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(data_dir: str | None, args: tuple[str, ...]) -> None:
    """Run a Django management command (e.g. ``chancery manage createsuperuser``)."""
    _setup(data_dir)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chancery manage", *args])


# --------------------------------------------------------------------------- transparency log


@main.group("log")
def log_group() -> None:
    """The transparency log: key, integration, static export."""


@log_group.command("key")
@data_dir_option
@click.option(
    "--only",
    type=click.Choice(["log", "timestamp"]),
    default=None,
    help="Print only this key, bare (for scripts).",
)
def log_key(data_dir: str | None, only: str | None) -> None:
    """Print the log's verifier key and the timestamp key of its checkpoints' stamps (making
    the keys on first use). Give both to `chancery monitor` (--key, --stamp-key)."""
    _setup(data_dir)
    from chancery.ledger.keys import witness_signer
    from chancery.ledger.sequencer import ensure_head

    log_vkey, stamp_vkey = ensure_head().vkey, witness_signer().vkey
    if only == "log":
        click.echo(log_vkey)
    elif only == "timestamp":
        click.echo(stamp_vkey)
    else:
        click.echo(f"log key:       {log_vkey}")
        click.echo(f"timestamp key: {stamp_vkey}")


@log_group.command("integrate")
@data_dir_option
def log_integrate(data_dir: str | None) -> None:
    """Integrate every pending event now (the worker does this continuously)."""
    _setup(data_dir)
    from chancery.ledger.sequencer import ensure_head, integrate_all

    count = integrate_all()
    head = ensure_head()
    click.echo(f"integrated {count} entries; {head.origin} is at size {head.size}")


@log_group.command("export")
@data_dir_option
@click.argument("directory", type=click.Path(file_okay=False))
def log_export(data_dir: str | None, directory: str) -> None:
    """Write the log (checkpoint, key, tiles) as static files under DIRECTORY."""
    _setup(data_dir)
    from chancery.ledger.export import export

    size, written = export(Path(directory))
    click.echo(f"exported the tree of size {size} to {directory} ({written} files written)")


@main.command("verify")
@data_dir_option
@click.option("--key", "vkey", default=None, help="The log's verifier key (default: as stored).")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.File("r", encoding="utf-8"),
    help="A checkpoint seen elsewhere (monitor, witness, receipt) to check against the rows.",
)
@click.option(
    "--monitor-state",
    type=click.Path(exists=True),
    default=None,
    help="A monitor's state folder (chancery monitor --state) or one of its files.",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes for the row checks (default: one per CPU for a large log).",
)
def verify(
    data_dir: str | None,
    vkey: str | None,
    checkpoints: tuple[Any, ...],
    monitor_state: str | None,
    processes: int | None,
) -> None:
    """Rebuild the log from the database rows and check every entry, tile and checkpoint,
    and every row the log's events commit to."""
    _setup(data_dir)
    from chancery.ledger.verify import verify_log

    report = verify_log(
        vkey=vkey,
        other_checkpoints=[f.read() for f in checkpoints],
        monitor_state=monitor_state,
        processes=processes,
        progress=lambda n: click.echo(f"  {n:,} entries checked", err=True),
    )
    subjects = ", ".join(f"{n:,} {kind}" for kind, n in sorted(report.subjects.items()))
    click.echo(
        f"log {report.origin}: {report.entries:,} entries, {report.checkpoints:,} checkpoints, "
        f"subjects checked: {subjects or 'none'}; {report.pending:,} events pending"
    )
    for where in report.compared_with:
        click.echo(f"compared with {where}")
    for note in report.notes:
        click.echo(f"NOTE: {note}", err=True)
    if report.ok:
        click.echo("OK: the database and the log agree.")
        return
    if report.first_divergent is not None:
        click.echo(f"FAILED: first divergent entry: {report.first_divergent}", err=True)
    else:
        click.echo("FAILED (no entry of the log differs; rows or checkpoints do)", err=True)
    for problem in report.problems[:50]:
        click.echo(f"  - {problem}", err=True)
    if len(report.problems) > 50:
        click.echo(f"  ... and {len(report.problems) - 50} more", err=True)
    sys.exit(1)


@main.group()
def receipt() -> None:
    """Receipts: check a tlog-proof offline."""


@receipt.command("verify")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--key", "vkeys", required=True, multiple=True, help="The log's verifier key.")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    help="A witness's verifier key whose cosignature must be on the checkpoint.",
)
@click.option(
    "--body",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="The message text as sent, to check against the receipt's commitment.",
)
def receipt_verify(
    file: Any, vkeys: tuple[str, ...], witnesses: tuple[str, ...], body: Any
) -> None:
    """Verify FILE (a .tlog-proof, or a receipt JSON from Chancery) with no database."""
    from chancery.ledger.offline import ReceiptError, verify_receipt

    try:
        lines = verify_receipt(
            file.read(), list(vkeys), list(witnesses), body.read() if body else None
        )
    except ReceiptError as exc:
        click.echo(f"FAILED: {exc}", err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)



@main.group("calls")
def calls_group() -> None:
    """Calls: requests from foreign leaders, their schedule and interpreters."""


def _usage_error(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@calls_group.command("schedule")
@data_dir_option
@click.option("--principal", "slug", default=None,
              help="The principal's slug (default: every principal in turn).")
@click.option("--days", default=14, show_default=True, type=int,
              help="Days to schedule from today (principal's zone).")
@click.option("--time-limit", default=10.0, show_default=True, type=float,
              help="Seconds the solver may take.")
def calls_schedule(data_dir: str | None, slug: str | None, days: int, time_limit: float) -> None:
    """Solve the call schedule now, in this process, with its progress; then print what was
    placed (both sides' local times, the interpreter) and why the rest could not be.

    On a demo data folder the demo's clock is used (November 2020), as by every command
    (``chancery.bootstrap``), unless CHANCERY_CLOCK_OFFSET is set."""
    _setup(data_dir)
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from chancery.calls.access import operator_calls
    from chancery.calls.services import scheduling
    from chancery.directory.access import principal_by_slug, principals
    from chancery.errors import ChanceryError

    console = Console(width=None if sys.stdout.isatty() else 160)
    try:
        targets = [principal_by_slug(slug, field="principal")] if slug else list(
            principals().order_by("slug"))
        scheduling.check_horizon(days, time_limit)
    except ChanceryError as exc:
        _usage_error(exc.message)
    if not targets:
        _usage_error("there is no principal to schedule for; load the directory first.")
    failed = False
    for target in targets:
        try:
            run = scheduling.request_solve(target, by=None, days=days, time_limit=time_limit)
        except ChanceryError as exc:
            _usage_error(exc.message)
        console.print(f"[bold]{target.name}[/bold] ({target.slug}): {run.days} days from "
                      f"{run.start_day}, solve #{run.pk}")
        with Live("queued", console=console, transient=True, refresh_per_second=4) as live:
            def show(p: Any) -> None:
                live.update(
                    f"phase {p.phase}: {p.solutions} solution(s), objective {p.objective:g}, "
                    f"bound {p.bound:g}, {p.seconds:.1f} s"
                )

            run = scheduling.run_solve(run, progress=show)
        if run.state != "done":
            failed = True
            console.print(f"  [red]The solve failed:[/red] {run.error or run.state}")
            continue
        result = run.result
        pzone = ZoneInfo(target.time_zone)
        found = {c.tracking: c for c in operator_calls(target)}
        table = Table(title=f"Placed: {len(result['placed'])}", title_justify="left")
        for col in ("Call", "Leader", f"Principal ({target.time_zone})", "Leader's time",
                    "Interpreter"):
            table.add_column(col, no_wrap=col != "Leader")
        rows = [found[i["call"]] for i in result["placed"] if i["call"] in found]
        for call in sorted(rows, key=lambda c: (c.start is None, c.start or 0, c.pk)):
            if call.start is None or call.end is None:
                continue
            ps, pe_ = call.start.astimezone(pzone), call.end.astimezone(pzone)
            lz = ZoneInfo(call.time_zone)
            leader = call.office.leader.name if call.office.leader else call.office.title
            table.add_row(
                call.tracking + (" (fixed)" if call.fixed else ""), leader,
                f"{ps:%a %d %b %H:%M}–{pe_:%H:%M}",
                f"{call.start.astimezone(lz):%a %d %b %H:%M} {call.time_zone}",
                call.interpreter.name if call.interpreter else "—",
            )
        console.print(table)
        for item in result["unplaced"]:
            console.print(f"  [yellow]Not placed[/yellow] {item['call']}: {item['reason']}")
        metrics = result.get("metrics", {})
        console.print(
            f"  {result.get('solver')} ({result.get('status')}): {metrics.get('placed', 0)} "
            f"placed of at most {result.get('placed_bound')}, lateness "
            f"{metrics.get('lateness', 0)}, inversions {metrics.get('inversions', 0)}, "
            f"{result.get('seconds', 0)} s"
        )
    sys.exit(1 if failed else 0)


@main.group("records")
def records_group() -> None:
    """Records: the archival export of a period as a BagIt bag, its check, the search index."""


def _records_progress(console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=console, transient=True,
    )


@records_group.command("export")
@data_dir_option
@click.option("--from", "date_from", required=True, help="First day, YYYY-MM-DD (included).")
@click.option("--to", "date_to", required=True, help="Last day, YYYY-MM-DD (included).")
@click.option("--as", "username", required=True, help="A records officer or an admin.")
@click.argument("out", type=click.Path())
def records_export(
    data_dir: str | None, date_from: str, date_to: str, username: str, out: str
) -> None:
    """Write the records of a period (messages and call requests received, telcons, read-outs
    and replies created, days in the installation's zone) as a BagIt bag in OUT, a new or
    empty folder, with the log's checkpoint and an inclusion proof for every event. Every
    record exported is recorded as read by --as (via export)."""
    _setup(data_dir)
    from django.contrib.auth.models import User
    from rich.console import Console

    from chancery.errors import ChanceryError, InvalidInput
    from chancery.records.export import export_bag, parse_day

    try:
        first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    except InvalidInput as exc:
        _usage_error(exc.message)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"No user {username!r}: give a records officer or an admin.")
    console = Console(stderr=True)
    try:
        with _records_progress(console) as bar:
            task = bar.add_task("reading records", total=None)

            def show(stage: str, done: int, total: int) -> None:
                bar.update(task, description=f"{stage} records", completed=done, total=total)

            report = export_bag(first, last, Path(out), by=user, progress=show)
    except InvalidInput as exc:
        _usage_error(exc.message)
    except ChanceryError as exc:
        raise click.ClickException(exc.message) from None
    parts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    click.echo(
        f"{report.records} records ({parts}), {report.events} events, written to {report.out}; "
        f"proofs against {report.log_origin} at size {report.log_size}"
        + (f" ({report.integrated} pending events integrated first)" if report.integrated
           else "")
    )
    if not report.records:
        click.echo(
            f"0 records in {first}..{last}: the bag holds only the log's checkpoint and key."
        )


@records_group.command("verify-export")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--key", "vkey", default=None,
              help="The log's verifier key the archive was given (default: the bag's log/key).")
@data_dir_option
def records_verify_export(path: str, vkey: str | None, data_dir: str | None) -> None:
    """Check a bag written by `chancery records export`: its checksums, the checkpoint's
    signature, every event's leaf and inclusion proof, every record against its events."""
    _setup(data_dir)
    from chancery.records.export import verify_bag

    report = verify_bag(Path(path), key=vkey)
    parts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    click.echo(
        f"{path}: {report.records} records ({parts}), {report.events} events; checkpoint "
        f"{report.log_origin or '?'} at size {report.log_size} with "
        f"{'the key given' if report.key_given else 'the bag key'} {report.key}"
    )
    if report.ok:
        click.echo("OK: checksums, checkpoint, leaves, inclusion proofs and records agree.")
        return
    click.echo(f"FAILED: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems[:100]:
        click.echo(f"  - {problem}", err=True)
    if len(report.problems) > 100:
        click.echo(f"  ... and {len(report.problems) - 100} more", err=True)
    sys.exit(1)


@records_group.command("reindex")
@data_dir_option
def records_reindex(data_dir: str | None) -> None:
    """Rebuild the records search index from the rows (messages, translations, telcons,
    read-outs, replies)."""
    _setup(data_dir)
    from rich.console import Console

    from chancery.records.search import index

    console = Console(stderr=True)
    with _records_progress(console) as bar:
        task = bar.add_task("indexing", total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = index.rebuild(progress=show)
    click.echo(f"indexed {count} documents")


def _register_log_commands() -> None:
    # The monitor needs no Django and no database: it is the part of Chancery that a foreign
    # ministry or a journalist runs against someone else's log. The witness module imports no
    # models at import time, so both load before Django is set up.
    from chancery.ledger.monitor import monitor_command
    from chancery.ledger.witness import witness_command

    main.add_command(monitor_command, "monitor")
    log_group.add_command(witness_command)


_register_log_commands()


if __name__ == "__main__":
    main()
