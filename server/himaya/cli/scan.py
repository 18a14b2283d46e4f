"""`himaya scan`, `himaya eval`, `himaya bench`: the scanner from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from himaya.cli import main

SEVERITY_COLOUR = {"none": "green", "low": "cyan", "medium": "yellow", "high": "red", "critical": "magenta"}


def _load_scanner(rules_path):
    from himaya.core.rules import RuleError
    from himaya.core.scanner import Scanner

    try:
        return Scanner.load(rules_path)
    except RuleError as exc:
        raise click.ClickException(str(exc)) from None


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Rules folder to use instead of the bundled default list.")


@main.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.File("r", encoding="utf-8"), help="Read the text from a file.")
@click.option("--kind", type=click.Choice(["message", "profile", "post", "url"]), default="message", show_default=True)
@click.option("--url", help="Address of the page the text comes from.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option("--jsonl", type=click.File("r", encoding="utf-8"),
              help="Scan every item of a JSON Lines corpus file ('-' for stdin); one JSON verdict a line.")
@click.option("--lang", type=click.Choice(["fr", "ar", "en"]), default="en", show_default=True,
              help="Language of the explanations in the readable output.")
@rules_option
def scan(text, file_, kind, url, as_json, jsonl, lang, rules_path):
    """Scan a text (argument, --file, or '-' for stdin) and print the verdict.

    Examples:

        himaya scan "t'as quel âge ? ajoute-moi sur snap"

        himaya scan --jsonl ../shared/corpus/dev.jsonl > verdicts.jsonl
    """
    scanner = _load_scanner(rules_path)
    if jsonl is not None:
        _scan_jsonl(scanner, jsonl)
        return
    if file_ is not None:
        text = file_.read()
    elif text == "-" or (text is None and not sys.stdin.isatty()):
        text = sys.stdin.read() or None
    if text is None:
        raise click.UsageError("give a TEXT, --file FILE, '-' for standard input, or --jsonl FILE")
    verdict = scanner.scan(text, kind=kind, url=url)
    if as_json:
        click.echo(json.dumps({**verdict.to_dict(), "rules_version": scanner.version}, ensure_ascii=False))
        return
    colour = SEVERITY_COLOUR[verdict.severity]
    head = "warning" if verdict.risk else ("cue only" if verdict.matches else "nothing found")
    click.echo(click.style(f"{head}: severity {verdict.severity}, score {verdict.score}", fg=colour, bold=True))
    for m in verdict.matches:
        seen = ", ".join(repr(text[s:e]) for s, e in m.spans)
        click.echo(f"  {m.rule} [{m.category}, {m.severity}] {m.title[lang]}")
        click.echo(f"    seen: {seen}")
        click.echo(f"    {m.explain['parent'][lang]}")


def _scan_jsonl(scanner, stream) -> None:
    from himaya.core.corpus import ItemError, parse_item, scan_item

    bad = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = parse_item(line, number)
        except ItemError as exc:
            bad += 1
            click.echo(f"himaya scan: skipped {exc}", err=True)
            continue
        click.echo(json.dumps(scan_item(scanner, item), ensure_ascii=False))
    if bad:
        raise SystemExit(1)


@main.command("eval")
@click.argument("corpus", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--errors", "show_errors", is_flag=True, help="List every missed item and false alarm.")
@rules_option
def eval_(corpus, as_json, show_errors, rules_path):
    """Measure precision and recall on a labelled corpus (JSON Lines).

    Example:

        himaya eval ../shared/corpus/dev.jsonl
    """
    from himaya.core.corpus import evaluate, read_items

    scanner = _load_scanner(rules_path)
    bad: list[str] = []
    lines = corpus.readlines()
    with click.progressbar(length=len(lines), label="scanning", file=sys.stderr,
                           show_pos=True) as bar:
        report = evaluate(scanner, read_items(lines, bad), progress=lambda _item: bar.update(1))
    for problem in bad:
        click.echo(f"himaya eval: skipped {problem}", err=True)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    o = report["overall"]
    click.echo(f"items {o['n']}  precision {o['precision']:.3f}  recall {o['recall']:.3f}  F1 {o['f1']:.3f}"
               f"  (tp {o['tp']}, fp {o['fp']}, fn {o['fn']}, tn {o['tn']})")
    for cat, rate in report["false_positive_rate"].items():
        click.echo(f"false-positive rate on {cat}: {rate:.3f}")
    t = report["threads"]
    if t["risk"] or t["benign"]:
        click.echo(f"threads: risk warned {t['warned']}/{t['risk']}, before last message "
                   f"{t['warned_before_last']}/{t['risk']}; benign warned {t['benign_warned']}/{t['benign']}")
    for group, rows in report["recall_by"].items():
        click.echo(f"recall by {group}:")
        for key, row in rows.items():
            click.echo(f"  {key:24} {row['recall']:.3f}  (n={row['n']})")
    if show_errors:
        for err in report["errors"]:
            click.echo(f"  {err['kind']}: {err['id']} {err.get('category') or ', '.join(err.get('rules', []))}")


@main.command()
@click.option("--signatures", default=10_000, show_default=True, help="Terms in the synthetic list.")
@click.option("--messages", default=3_000, show_default=True, help="Chat messages timed warm, per list.")
@click.option("--pages", default=9, show_default=True, help="50 KB pages timed, per list (interleaved with the references).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(signatures, messages, pages, as_json):
    """Measure scanner speed with the shipped list and a synthetic one, on realistic
    mixed-language text, beside flashtext and ahocorasick-rs (bench/scanner_bench.py).

    Example:

        himaya bench --json
    """
    import runpy

    script = Path(__file__).resolve().parents[3] / "bench" / "scanner_bench.py"
    if not script.is_file():
        raise click.ClickException("the benchmarks live in bench/ of a source checkout; run this from one")
    module = runpy.run_path(str(script))
    figures = module["run"](signatures=signatures, messages=messages, pages=pages)
    if as_json:
        click.echo(json.dumps(figures))
    else:
        module["print_figures"](figures)
