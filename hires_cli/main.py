"""``hires``: the command for people running the product on one machine."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from destination_remote_onboarding import cli as outcomes_cli
from hires_cli import sync
from rules import cli as rules_cli
from webhook_receiver import cli as webhook_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hires",
        description="Greenhouse hires into Remote onboarding, by each customer's rules.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sync.register(commands)
    rules_cli.register(commands)
    outcomes_cli.register(commands)
    webhook_cli.register(commands)
    return parser


def configure_logging(*, verbose: bool = False, quiet: bool = False) -> None:
    """Human-readable logs on stderr; replaces the JSON-on-stdout handler the CDK installs.

    INFO carries what an operator wants in a sync log (pages read, waits, outcome counts); the
    CDK's own stream bookkeeping is shown only with --verbose.
    """
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if not verbose:
        logging.getLogger("airbyte").setLevel(max(level, logging.WARNING))
        for handler in logging.getLogger().handlers:
            handler.addFilter(_without_cdk_tracebacks)


def _without_cdk_tracebacks(record: logging.LogRecord) -> bool:
    """The CDK logs a stream's failure with its stack; we print the worded error instead."""
    if record.name.startswith("airbyte") and record.exc_info:
        record.exc_info = None
        record.exc_text = None
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose, quiet=getattr(args, "quiet", False))
    try:
        status: int = args.handler(args)
    except BrokenPipeError:
        # Output piped into `head` and the like: the reader has gone, nothing more to say.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("hires: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
