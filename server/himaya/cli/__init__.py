"""The `himaya` command line: thin click shells around library calls.

Each submodule registers its commands on the groups defined here:
``scan`` (scan, eval, bench), ``checks`` (rules validate, test, lint), ``bundles``
(rules keygen/build/sign/publish/update/status), ``service`` (serve, token,
autostart, config, report), ``status`` (status).
"""

import click

from himaya import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="himaya")
def main():
    """Himaya: warns children and parents about grooming and exploitation
    tactics on social networks, locally, in French, Arabic and English."""


@main.group()
def rules():
    """Write, check, build and update the signature rules."""


# Submodules register their commands on the groups above. (Module names differ
# from the group names so that importing them does not shadow the groups.)
from himaya.cli import bundles, checks, model, scan, service, status  # noqa: E402,F401
