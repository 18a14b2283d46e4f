"""The `himaya` command line: thin click shells around library calls.

Each submodule registers its commands on the groups defined here:
``scan`` (scan, eval, bench), ``checks`` (rules validate, test, lint), ``bundles``
(rules keygen/build/sign/publish/update/status), ``service`` (serve, token,
autostart, config, report, status, pair, pin), ``model``, ``hub``. A submodule is
imported only when one of its commands is named (COMMANDS below): a cold
`himaya scan` does not load the hub's or the bundles' code.
"""

import importlib
import os
import sys

import click

from himaya import __version__


# command -> the submodule that registers it, per group (tests/test_cli_staff.py
# checks that these are exactly the registered commands)
COMMANDS = {
    "main": {"scan": "scan", "eval": "scan", "bench": "scan", "model": "model", "hub": "hub",
             **dict.fromkeys(("serve", "status", "pair", "token", "pin", "autostart", "config", "report"), "service")},
    "rules": {**dict.fromkeys(("validate", "test", "lint"), "checks"),
              **dict.fromkeys(("keygen", "build", "sign", "publish", "update", "status"), "bundles")},
}


def load_all() -> None:
    """Import every submodule: all commands registered (help, docs checks)."""
    for module in {m for table in COMMANDS.values() for m in table.values()}:
        importlib.import_module(f"himaya.cli.{module}")


class LazyGroup(click.Group):
    """A group whose commands' modules are imported when a command is named."""

    def get_command(self, ctx, name):
        module = COMMANDS.get(self.name, {}).get(name)
        if module is not None and name not in self.commands:
            importlib.import_module(f"himaya.cli.{module}")
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        load_all()
        return super().list_commands(ctx)


class HimayaGroup(LazyGroup):
    """Every command's failures become one line and exit status 2, never a traceback
    (HIMAYA_DEBUG=1 shows it, for whoever fixes the program)."""

    def invoke(self, ctx):
        from himaya.cli.common import Failure, text

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.exit(0)  # `himaya scan --jsonl ... | head`: the reader left
        except Exception as exc:
            from himaya.companion.config import DataFolderError

            if os.environ.get("HIMAYA_DEBUG") == "1":
                raise
            if isinstance(exc, DataFolderError):
                raise Failure(text(f"home_{exc.code}", path=exc.path, reason=exc.reason)) from None
            raise Failure(text("internal", kind=exc.__class__.__name__)) from None


@click.group(cls=HimayaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="himaya")
def main():
    """Himaya: warns children and parents about grooming and exploitation
    tactics on social networks, locally, in French, Arabic and English."""


@main.group(cls=LazyGroup)
def rules():
    """Write, check, build and update the signature rules.

    Examples:

        himaya rules validate rules/

        himaya rules test rules/ --rule HIM-PRIV-001

        himaya rules lint rules/ --feedback tests/fixtures/feedback/weekly-counts.jsonl

        himaya rules status
    """
