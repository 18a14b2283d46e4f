"""`himaya model train|eval|info`: the second signal, for NGO staff."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click

from himaya.cli import main


@main.group()
def model():
    """Train, measure and inspect the model that travels beside the rules.

    Examples:

        himaya model info

        himaya model eval tests/fixtures/eval/probe5.jsonl

        himaya model train corpus/*.jsonl --rule-tests rules --out rules/model
    """


@model.command("train")
@click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write model.json, vocab.txt and weights.bin to (e.g. rules/model).")
@click.option("--rule-tests", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also learn from the positive and negative tests of the rules in this folder.")
@click.option("--off", "off", multiple=True, metavar="CATEGORY",
              help="Ship this category's model output switched off (repeatable).")
def train(corpora, out_dir, rules_dir, off):
    """Train the model on labelled corpora (JSON Lines, docs/CORPUS.md).

    Needs the [train] extra: pip install 'himaya[train]'. The same files give
    the same bytes. Never train on a blind probe that still measures the model
    (docs/MODEL.md; `make model` names the ones the shipped model learns from).

    Example: himaya model train training/*.jsonl --rule-tests rules --out rules/model
    """
    try:
        from himaya.training.examples import CATEGORIES, CorpusError, from_corpus, from_rule_tests
        from himaya.training.fit import train as fit
    except ImportError as exc:
        raise click.ClickException(f"training needs the [train] extra ({exc.name} is missing): "
                                   "pip install 'himaya[train]'") from None
    bad = [c for c in off if c not in CATEGORIES]
    if bad:
        raise click.BadParameter(f"unknown category {bad[0]!r}; one of {', '.join(CATEGORIES)}", param_hint="--off")
    examples, sources = [], {}
    try:
        for path in corpora:
            examples += from_corpus(path)
            sources[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        if rules_dir:
            examples += from_rule_tests(rules_dir)
            sources["rule-tests"] = "rules"
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    meta = fit(examples, out_dir, sources, progress=lambda msg: click.echo(msg, err=True))
    if off:
        from himaya.training.fit import set_enabled

        meta = set_enabled(out_dir, {c: False for c in off})
    oof = meta["metrics"]["out_of_fold"]
    click.echo(f"model {meta['version']}: {len(examples)} examples, written to {out_dir}")
    for group in ("risk", "benign-hard-negative", "benign"):
        if group in oof:
            click.echo(f"  out-of-fold flagged on {group}: {oof[group]['flagged']:.3f} (n={oof[group]['n']})")


@model.command("info")
@click.option("--rules", "rules_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Rules folder (default: the list this computer uses).")
@click.option("--json", "as_json", is_flag=True)
def info(rules_path, as_json):
    """Say which model the list carries, its thresholds and which categories are on.

    Example: himaya model info
    """
    from himaya.cli.scan import _load_scanner

    scanner, _label = _load_scanner(rules_path)
    if scanner.model is None:
        raise click.ClickException("this list carries no model (rules only)")
    from himaya.core.scanner import unit_thresholds

    data = scanner.model.info()
    # what a single message, post or profile is read at (a conversation's window: the threshold)
    data["unit_thresholds"] = unit_thresholds(data["thresholds"])
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"model {data['version']}: {data['features']} features, "
               f"{data['training'].get('examples', '?')} training examples")
    for cat, t in data["thresholds"].items():
        state = "on" if data["enabled"][cat] else "off"
        click.echo(f"  {cat:22} threshold {t:.3f} (a unit alone: {data['unit_thresholds'][cat]:.3f})  {state}")


@model.command("eval")
@click.argument("corpus", type=click.File("r", encoding="utf-8"))
@click.option("--rules", "rules_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Rules folder (default: the list this computer uses).")
@click.option("--json", "as_json", is_flag=True)
def eval_model(corpus, rules_path, as_json):
    """Measure rules alone, model alone and both, side by side, on a labelled corpus.

    Example: himaya model eval tests/fixtures/eval/probe5.jsonl
    """
    from himaya.core.corpus import evaluate, read_items
    from himaya.cli.scan import _load_scanner

    bad: list[str] = []
    lines = corpus.readlines()
    items = list(read_items(lines, bad))
    for problem in bad:
        click.echo(f"himaya model eval: skipped {problem}", err=True)
    if not items:
        raise click.ClickException("no items to measure")
    reports = {}
    with click.progressbar(length=3 * len(items), label="scanning", file=sys.stderr, show_pos=True) as bar:
        for signals in ("rules", "model", "both"):
            scanner, _label = _load_scanner(rules_path, signals)
            if signals != "rules" and scanner.model is None:
                raise click.ClickException("this list carries no model (rules only)")
            reports[signals] = evaluate(scanner, items, progress=lambda _i: bar.update(1))
    if as_json:
        click.echo(json.dumps({k: {kk: v for kk, v in r.items() if kk != "errors"} for k, r in reports.items()},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{'':34}{'rules':>8}{'model':>8}{'both':>8}")
    rows = [("precision", lambda r: r["overall"]["precision"]), ("recall", lambda r: r["overall"]["recall"]),
            ("F1", lambda r: r["overall"]["f1"]),
            ("false alarms, hard negatives", lambda r: r["false_positive_rate"].get("benign-hard-negative", 0.0)),
            ("false alarms, plain benign", lambda r: r["false_positive_rate"].get("benign", 0.0)),
            ("risky threads warned before last", lambda r: r["threads"]["warned_before_last_rate"] or 0.0),
            ("benign threads warned", lambda r: r["threads"]["benign_warned_rate"] or 0.0)]
    for name, get in rows:
        click.echo(f"{name:34}" + "".join(f"{get(reports[s]):8.3f}" for s in ("rules", "model", "both")))
    click.echo("recall by category:")
    cats = sorted(reports["both"]["recall_by"].get("category", {}))
    for cat in cats:
        vals = [reports[s]["recall_by"]["category"].get(cat, {"recall": 0.0})["recall"] for s in ("rules", "model", "both")]
        n = reports["both"]["recall_by"]["category"][cat]["n"]
        click.echo(f"  {cat:32}" + "".join(f"{v:8.3f}" for v in vals) + f"  (n={n})")
