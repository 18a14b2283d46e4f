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
    """Check every rule file against the schema (default: this computer's active list).

    Example:

        himaya rules validate rules/
    """
    from himaya.cli.common import active_list, home, label, list_of

    info = None
    if path is None:
        info = active_list(home())
        path = info["files"] if info else None
    rs = _load(path)
    info = info or list_of(rs.root)
    click.echo(f"ok: {len(rs.rules)} rules and {len(rs.lexicons)} lexicons are valid ({label(info, rs.version)})")


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


def default_corpora(rules_dir: Path) -> list[Path]:
    """The project's labelled sets beside a rules folder: its training corpora and
    benign collection, and the evaluation probes of a source checkout."""
    rules_dir = Path(rules_dir)
    found = []
    for pattern in ("training/*.jsonl", "benign/*.jsonl", "../tests/fixtures/eval/*.jsonl"):
        found.extend(sorted(rules_dir.glob(pattern)))
    return found


def corpus_texts(paths) -> list[tuple[str | None, str]]:
    """(label, text) for every text of the labelled sets (a thread's messages one by one)."""
    from himaya.core.corpus import read_items

    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for item in read_items(fh, errors=[]):
                label = item.get("label")
                if item["kind"] == "thread":
                    texts.extend((label, m["text"]) for m in item["messages"])
                else:
                    texts.append((label, item["text"]))
    return texts


@rules.command()
@path_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--feedback", "feedback_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Weekly feedback counts (JSON or JSON Lines, as sent to the hub): flag rules whose "
                   "'This is wrong' rate stands out.")
@click.option("--corpus", "corpora", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another labelled set (JSON Lines) to check for copied phrases (repeatable).")
def lint(path, strict, feedback_file, corpora):
    """Lint the rules: test counts by status, languages covered, unused groups,
    phrases of four or more words copied from a labelled corpus (the project's
    training, benign and evaluation sets, plus any --corpus), and one-word exclusions
    that risky messages of those sets use every day (they would silence real warnings).

    Examples:

        himaya rules lint rules/ --strict

        himaya rules lint rules/ --feedback tests/fixtures/feedback/weekly-counts.jsonl
    """
    from himaya.core.rules import lint as lint_rules
    from himaya.core.rules.testing import TERM_LANGS

    rs = _load(path)
    sets = [*default_corpora(rs.root), *corpora]
    labelled = corpus_texts(sets)
    problems = lint_rules(rs, [text for _label, text in labelled], [text for label, text in labelled if label == "risk"])
    if feedback_file is not None:
        problems += _feedback_problems(rs, feedback_file)
    for level, msg in problems:
        click.echo(click.style(f"{level}: ", fg="red" if level == "error" else "yellow") + msg)
    click.echo(f"checked {len(rs.rules)} rules: schema, test examples per status, languages of the terms "
               f"({', '.join(TERM_LANGS)}), conditions that can match, falsepositives notes, unused groups, "
               f"phrases copied from {len(sets)} labelled file(s), everyday words that veto a rule alone"
               + (", 'This is wrong' rates from the feedback" if feedback_file else ""))
    errors = [p for p in problems if p[0] == "error" or strict]
    if errors:
        raise click.ClickException(f"{len(errors)} lint problem(s)")
    click.echo(f"ok: {len(rs.rules)} rules lint clean" + (f" ({len(problems)} warnings)" if problems else ""))


def _feedback_problems(rs, feedback_file) -> list[tuple[str, str]]:
    from himaya.companion.feedback_counts import NoisyRules, read_counts

    try:
        totals = read_counts(feedback_file.read_text("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        from himaya.cli.common import Failure

        raise Failure(f"{feedback_file}: not feedback counts ({exc})") from None
    known = {r.id for r in rs.rules}
    out = []
    for rule, wrong, helped, rate, overall in NoisyRules(totals).flagged():
        where = "" if rule in known else " (not in this list)"
        out.append(("warning", f"rule {rule}{where}: 'This is wrong' {wrong} of {wrong + helped} answers "
                               f"({rate:.0%}, the list's rate is {overall:.0%}); read its matches and tests again"))
    return out
