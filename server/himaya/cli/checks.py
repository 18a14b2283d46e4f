"""`himaya rules validate|test|lint`: what a rule author runs before committing."""

from __future__ import annotations

from pathlib import Path

import click

from himaya.cli import rules

path_argument = click.argument(
    "path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))


def _load(path):
    from himaya.core.rules import RuleError, load_ruleset
    from himaya.core.scanner import default_rules_path

    try:
        return load_ruleset(path or default_rules_path())
    except RuleError as exc:
        raise click.ClickException(str(exc)) from None


@rules.command()
@path_argument
def validate(path):
    """Check every rule file against the schema (default: the bundled rules).

    Example:

        himaya rules validate rules/
    """
    rs = _load(path)
    click.echo(f"ok: {len(rs.rules)} rules and {len(rs.lexicons)} lexicons are valid ({rs.version})")


@rules.command("test")
@path_argument
@click.option("--rule", "only", multiple=True, help="Only this rule id (repeatable).")
def test_(path, only):
    """Run every rule's embedded positive and negative examples.

    Example:

        himaya rules test rules/ --rule HIM-PRIV-001
    """
    from himaya.core.rules import run_tests

    rs = _load(path)
    chosen = [r for r in rs.rules if not only or r.id in only]
    if only and not chosen:
        raise click.ClickException(f"no rule with id {', '.join(only)}")
    failures = run_tests(rs, chosen)
    count = sum(len(r.positives) + len(r.negatives) for r in chosen)
    for f in failures:
        click.echo(click.style("FAIL ", fg="red") + f)
    if failures:
        raise click.ClickException(f"{len(failures)} of {count} examples failed")
    click.echo(f"ok: {count} examples of {len(chosen)} rules pass")


@rules.command()
@path_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def lint(path, strict):
    """Lint the rules: test counts by status, languages covered, unused groups.

    Example:

        himaya rules lint rules/ --strict
    """
    from himaya.core.rules import lint as lint_rules

    rs = _load(path)
    problems = lint_rules(rs)
    for level, msg in problems:
        click.echo(click.style(f"{level}: ", fg="red" if level == "error" else "yellow") + msg)
    errors = [p for p in problems if p[0] == "error" or strict]
    if errors:
        raise click.ClickException(f"{len(errors)} lint problem(s)")
    click.echo(f"ok: {len(rs.rules)} rules lint clean" + (f" ({len(problems)} warnings)" if problems else ""))
