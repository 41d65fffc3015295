"""The ``primum`` console script: run the bot, the demo, database upkeep and the model tools."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]

#: One module per command group, in ``primum --help``'s order; each adds its subcommands through
#: ``register(subparsers)``.
PLUGIN_MODULES = (
    "primum.cli.run", "primum.cli.demo", "primum.cli.db", "primum.cli.train", "primum.cli.score",
    "primum.cli.evaluate", "primum.cli.calibrate", "primum.cli.bench", "primum.cli.report", "primum.cli.replay",
)


MAIN_EPILOG = """examples:
  primum demo                     # watch Primum moderate a simulated server (no token needed)
  primum demo --keep-db demo.sqlite3 && primum report --db demo.sqlite3 --out charts/
  primum run                      # the real bot (DISCORD_TOKEN in .env)
  primum score "did they skip pharmacology at your school?"
  primum <command> --help         # what each command does, with examples"""


def version() -> str:
    """The installed package's version (the checkout's pyproject when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("primum")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, including those registered by feature modules."""
    parser = argparse.ArgumentParser(prog="primum", description="Primum: first, be kind.", epilog=MAIN_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    for module_name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and dispatch."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.func
    return handler(args)

