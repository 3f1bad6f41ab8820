"""Entry point: ``pixtask <group> <command>``; one module per command group."""

from __future__ import annotations

import logging
import sys

import typer
from typer._click import exceptions as click_exceptions  # the click typer runs on

from pixtask.cli import app as app_cli
from pixtask.cli import bench, data, demo, evaluate, export, finetune, instructions, models, run, study, tasks, train
from pixtask.core.offline import stay_offline

app = typer.Typer(
    name="pixtask",
    help="Unified image-to-image vision: tasks, benchmarks and models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(tasks.app, name="tasks")
app.add_typer(bench.app, name="bench")
app.add_typer(data.app, name="data")
app.add_typer(models.app, name="models")
app.add_typer(export.app, name="export")
app.add_typer(study.app, name="study")
app.add_typer(instructions.app, name="instructions")
app.command("demo")(demo.demo)
app.command("run")(run.run)
app.command("train")(train.train)
app.command("eval")(evaluate.evaluate_command)
app.command("finetune")(finetune.finetune_command)
app.command("app")(app_cli.app_command)


@app.callback()
def _setup(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log details.")) -> None:
    stay_offline()  # no command downloads anything
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


def main(args: list[str] | None = None) -> int:
    """The ``pixtask`` command: like ``app()``, but a mistyped command line (unknown option,
    missing value, a word where a number goes) is one line, ``error: ...``, exit code 2, as every
    other bad input is."""
    try:
        result = app(args=args, standalone_mode=False)
    except click_exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "pixtask"
        message = " ".join(exc.format_message().split())
        if not message:  # no arguments: the help was shown
            return exc.exit_code
        print(f"error: {message} (see {where} --help)", file=sys.stderr)
        return 2
    except click_exceptions.ClickException as exc:
        print(f"error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def _entry() -> None:
    """The console script (pyproject's ``pixtask``)."""
    sys.exit(main())


if __name__ == "__main__":
    _entry()
