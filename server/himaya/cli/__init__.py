"""The `himaya` command line: thin click shells around library calls.

Each submodule registers its commands on the groups defined here:
``scan`` (scan, eval, bench), ``checks`` (rules validate, test, lint), ``bundles``
(rules keygen/build/sign/publish/update/status), ``service`` (serve, token,
autostart, config, report), ``status`` (status).
"""

import os
import sys

import click

from himaya import __version__


class HimayaGroup(click.Group):
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


@main.group()
def rules():
    """Write, check, build and update the signature rules.

    Examples:

        himaya rules validate rules/

        himaya rules test rules/ --rule HIM-PRIV-001

        himaya rules lint rules/ --feedback tests/fixtures/feedback/weekly-counts.jsonl

        himaya rules status
    """


# Submodules register their commands on the groups above. (Module names differ
# from the group names so that importing them does not shadow the groups.)
from himaya.cli import bundles, checks, hub, model, scan, service  # noqa: E402,F401
