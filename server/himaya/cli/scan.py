"""`himaya scan`, `himaya eval`, `himaya bench`: the scanner from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from himaya.cli import common, main

SEVERITY_COLOUR = {"none": "green", "low": "cyan", "medium": "yellow", "high": "red", "critical": "magenta"}


def _load_scanner(rules_path, signals="both"):
    """The scanner and a description of its list: --rules, else HIMAYA_RULES, else
    this computer's active list (the companion's, in the data folder), else the
    shipped default. The compiled list is cached in the data folder."""
    import gc
    import os

    from himaya.core.compiled import load_scanner
    from himaya.core.rules import RuleError
    from himaya.core.scanner import default_rules_path

    folder = common.home()
    if rules_path is None and os.environ.get("HIMAYA_RULES"):
        rules_path = Path(os.environ["HIMAYA_RULES"])
    info = None
    if rules_path is None:
        info = common.active_list(folder)
        rules_path = info["files"] if info else default_rules_path()
    if info is None:
        info = common.list_of(rules_path)
    try:
        scanner = load_scanner(Path(rules_path), folder / "cache", signals)
    except RuleError as exc:
        raise common.Failure(f"the rules in {rules_path} are not valid: " + "; ".join(exc.errors[:3])) from None
    # The compiled list lives as long as the command: out of the cycle collector's
    # walks (which would visit its ~300 000 objects during the scans).
    gc.freeze()
    return scanner, common.label(info, scanner.version)


signals_option = click.option(
    "--signals", type=click.Choice(["rules", "model", "both"]), default="both", show_default=True,
    help="Which signals decide: the rules, the model (when the list carries one), or both.")


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Rules folder to use instead of this computer's active list.")


def _decode(data: bytes, where: str) -> str:
    """Text from bytes, or a Failure saying why it is not text."""
    if b"\x00" in data[:65536]:
        raise common.Failure(f"{where} looks like a binary file (it holds NUL bytes), not text; give a text file "
                             "saved as UTF-8.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise common.Failure(f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
                             "save it as UTF-8 and try again.") from None


def _read_text(text, file_):
    if file_ is not None:
        try:
            data = Path(file_).read_bytes()
        except OSError as exc:
            raise common.Failure(f"{file_} cannot be read ({exc.strerror}).") from None
        return _decode(data, str(file_))
    if text == "-" or (text is None and not sys.stdin.isatty()):
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        return _decode(data, "standard input") or None
    return text


@main.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the text from a file (all of it, in overlapping pieces).")
@click.option("--kind", type=click.Choice(["message", "profile", "post", "url"]), default="message", show_default=True)
@click.option("--url", help="Address of the page the text comes from.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option("--jsonl", type=click.File("r", encoding="utf-8"),
              help="Scan every item of a JSON Lines corpus file ('-' for stdin); one JSON verdict a line.")
@click.option("--lang", type=click.Choice(["fr", "ar", "en"]), default="en", show_default=True,
              help="Language of the explanations in the readable output.")
@rules_option
@signals_option
def scan(text, file_, kind, url, as_json, jsonl, lang, rules_path, signals):
    """Scan a text (argument, --file, or '-' for stdin) and print the verdict.

    Uses this computer's rule list (the companion's) unless --rules names another.
    Exit status: 0 nothing found, 1 a warning, 2 an error.

    Examples:

        himaya scan "t'as quel âge ? ajoute-moi sur snap"

        himaya scan --file tests/fixtures/cli/chat-export.txt

        himaya scan --jsonl tests/fixtures/eval/probe4.jsonl > verdicts.jsonl

        himaya scan --rules rules/ --signals rules "on se voit ce soir ?"
    """
    from himaya.core.scanner import PIECE, pieces, scan_long

    scanner, list_label = _load_scanner(rules_path, signals)
    if jsonl is not None:
        _scan_jsonl(scanner, jsonl)
        return
    text = _read_text(text, file_)
    if text is None:
        raise common.Failure("give a TEXT, --file FILE, '-' for standard input, or --jsonl FILE "
                             "(example: himaya scan \"salut\")")
    if len(text) > PIECE:
        count = sum(1 for _ in pieces(len(text), text))
        if sys.stderr.isatty():
            with click.progressbar(length=len(text), label="reading", file=sys.stderr) as bar:
                verdict = scan_long(scanner, text, kind=kind, url=url, progress=bar.update)
        else:
            verdict = scan_long(scanner, text, kind=kind, url=url)
        click.echo(f"read all {len(text):,} characters in {count} overlapping pieces", err=True)
    else:
        verdict = scanner.scan(text, kind=kind, url=url)
    if as_json:
        click.echo(json.dumps({**verdict.to_dict(), "rules_version": scanner.version, "rules_list": list_label},
                              ensure_ascii=False))
    else:
        _print_verdict(verdict, text, lang, list_label)
    if verdict.risk:
        sys.exit(1)


def _print_verdict(verdict, text, lang, list_label) -> None:
    colour = SEVERITY_COLOUR[verdict.severity]
    head = "warning" if verdict.risk else ("cue only" if verdict.matches else "nothing found")
    click.echo(click.style(f"{head}: severity {verdict.severity}, score {verdict.score}", fg=colour, bold=True))
    for m in verdict.matches:
        shown = m.spans[:10]
        seen = ", ".join(repr(text[s:e]) for s, e in shown)
        if len(m.spans) > len(shown):
            seen += f" (and {len(m.spans) - len(shown)} more)"
        click.echo(f"  {m.rule} [{m.category}, {m.severity}] {m.title[lang]}")
        click.echo(f"    seen: {seen}")
        click.echo(f"    {m.explain['parent'][lang]}")
    model = (verdict.signals or {}).get("model")
    if model:
        click.echo(f"  model: {model['category']} {model['score']:.2f}"
                   + (f" (threshold {model['threshold']:.2f})" if "threshold" in model else ""))
    click.echo(f"rule list: {list_label}")


def _scan_jsonl(scanner, stream) -> None:
    from himaya.core.corpus import ItemError, parse_item, scan_item

    bad = warned = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = parse_item(line, number)
        except ItemError as exc:
            bad += 1
            click.echo(f"himaya scan: skipped {exc}", err=True)
            continue
        out = scan_item(scanner, item)
        warned += bool(out["risk"])
        click.echo(json.dumps(out, ensure_ascii=False))
    if bad:
        raise common.Failure(f"{bad} line(s) skipped (see above); fix them and scan again")
    if warned:
        sys.exit(1)


LABELS = ("risk", "benign")


@main.command("eval")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--errors", "show_errors", is_flag=True, help="List every missed item and false alarm, with its text.")
@rules_option
@signals_option
def eval_(corpus, as_json, show_errors, rules_path, signals):
    """Measure precision and recall on a labelled corpus (JSON Lines, label risk or benign).

    Example:

        himaya eval tests/fixtures/eval/probe4.jsonl --errors
    """
    from himaya.core.corpus import evaluate, read_items

    lines = _decode(corpus.read_bytes(), str(corpus)).splitlines()
    bad: list[str] = []
    items = list(read_items(lines, bad))
    for problem in bad:
        click.echo(f"himaya eval: skipped {problem}", err=True)
    if not items:
        why = "no line is a JSON object of the corpus schema" if bad else "it holds no items"
        raise common.Failure(f"{corpus}: nothing to measure ({why}); each line is a JSON object with "
                             "text, kind and label (risk or benign), as in tests/fixtures/eval/probe4.jsonl")
    for item in items:
        if item.get("label") not in LABELS:
            raise common.Failure(f"{corpus}: item {item['id']}: label {item.get('label')!r} is not risk or benign")
    scanner, list_label = _load_scanner(rules_path, signals)
    with click.progressbar(length=len(items), label="scanning", file=sys.stderr,
                           show_pos=True) as bar:
        report = evaluate(scanner, items, progress=lambda _item: bar.update(1))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    o = report["overall"]
    click.echo(f"items {o['n']}  precision {o['precision']:.3f}  recall {o['recall']:.3f}  F1 {o['f1']:.3f}"
               f"  (tp {o['tp']}, fp {o['fp']}, fn {o['fn']}, tn {o['tn']})  rule list: {list_label}")
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
        texts = {item["id"]: _item_text(item) for item in items}
        for err in report["errors"]:
            click.echo(f"  {err['kind']}: {err['id']} {err.get('category') or ', '.join(err.get('rules', []))}")
            click.echo(f"    {texts.get(err['id'], '')}")


def _item_text(item: dict) -> str:
    if item["kind"] == "thread":
        return " / ".join(f"{m.get('from', '?')}: {m['text']}" for m in item["messages"])
    return item["text"].replace("\n", " / ")


@main.command()
@click.option("--signatures", type=int, default=10_000, show_default=True, help="Terms in the synthetic list.")
@click.option("--messages", type=int, default=3_000, show_default=True, help="Chat messages timed warm, per list.")
@click.option("--pages", type=int, default=9, show_default=True,
              help="50 KB pages timed, per list (interleaved with the references).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(signatures, messages, pages, as_json):
    """Measure scanner speed with the shipped list and a synthetic one, on realistic
    mixed-language text, beside flashtext and ahocorasick-rs (bench/scanner_bench.py).

    Example:

        himaya bench --json
    """
    import runpy

    for name, value in (("--signatures", signatures), ("--messages", messages), ("--pages", pages)):
        if value < 1:
            raise common.Failure(f"{name} must be at least 1 (for example {name} 1000)")
    script = Path(__file__).resolve().parents[3] / "bench" / "scanner_bench.py"
    if not script.is_file():
        raise common.Failure("the benchmarks live in bench/ of a source checkout; run this from one")
    module = runpy.run_path(str(script))
    figures = module["run"](signatures=signatures, messages=messages, pages=pages)
    if as_json:
        click.echo(json.dumps(figures))
    else:
        module["print_figures"](figures)
