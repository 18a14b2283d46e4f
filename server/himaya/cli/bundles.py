"""`himaya rules keygen|build|sign|publish|update|status`: thin shells over
himaya.bundles.signing, himaya.bundles.build and himaya.bundles.updater (see docs/PUBLISHING.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from himaya.cli import rules

PASSPHRASE_ENV = "HIMAYA_KEY_PASSPHRASE"


def _fail(exc) -> None:
    """Print a refusal in the reader's language plus the technical detail, exit 1."""
    if hasattr(exc, "code"):
        lang = _lang()
        text = exc.to_dict(keeps_current=False)["message"][lang]
        raise click.ClickException(f"{text}\n  [{exc.code}] {exc.detail}")
    raise click.ClickException(str(exc))


def _lang() -> str:
    tag = (os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or "en")[:2]
    return tag if tag in ("fr", "ar") else "en"


def _passphrase(confirm: bool) -> bytes | None:
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        return env.encode("utf-8") or None
    text = click.prompt("Passphrase for the private key", hide_input=True,
                        confirmation_prompt=confirm, default="", show_default=False)
    return text.encode("utf-8") or None


@rules.command()
@click.argument("name")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for NAME.key and NAME.pub.")
@click.option("--no-passphrase", is_flag=True, help="Leave the private key unencrypted (CI keys).")
def keygen(name, out_dir, no_passphrase):
    """Make an Ed25519 staff key pair: NAME.key (private, mode 0600) and NAME.pub.

    The private key is never printed. Keep it offline; give NAME.pub to whoever
    maintains the pinned keys (himaya/data/trusted-keys.json).

    Example: himaya rules keygen amal --out ~/himaya-keys
    """
    from himaya.bundles.signing import generate_key, public_key_id, save_key_pair, SigningError

    if not name.replace("-", "").replace("_", "").isalnum():
        raise click.BadParameter("letters, digits, - and _ only", param_hint="NAME")
    passphrase = None if no_passphrase else _passphrase(confirm=True)
    key = generate_key()
    try:
        key_path, pub_path = save_key_pair(key, out_dir, name, passphrase)
    except (FileExistsError, SigningError) as exc:
        _fail(exc)
    click.echo(f"private key: {key_path} (mode 0600{', encrypted' if passphrase else ', NOT encrypted'})")
    click.echo(f"public key:  {pub_path}")
    click.echo(f"key id:      {public_key_id(key.public_key())}")
    click.echo(pub_path.read_text(encoding="utf-8").splitlines()[1])


@rules.command()
@click.argument("rules_dir", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Bundle folder to write (settings carry over from the bundle already there).")
@click.option("--list-id", help="List id (default: the previous build's, else himaya-default).")
@click.option("--version", "version", type=click.IntRange(1), help="Version (default: previous + 1).")
@click.option("--valid-days", type=click.IntRange(1, 3650), default=180, show_default=True,
              help="Days until the list is reported stale.")
@click.option("--disable", multiple=True, metavar="RULE_ID", help="Stop a rule on every computer (kill switch).")
@click.option("--enable", multiple=True, metavar="RULE_ID", help="Lift an earlier --disable.")
@click.option("--threshold", type=click.IntRange(1, 32), help="Staff signatures required (k of n).")
@click.option("--min-client", help="Oldest himaya version that may use this list.")
@click.option("--refresh", is_flag=True, help="Re-issue unchanged rules with a new version and expiry.")
def build(rules_dir, out_dir, list_id, version, valid_days, disable, enable, threshold, min_client, refresh):
    """Validate, lint and test every rule, then write a bundle (manifest + files).

    Example: himaya rules build rules/ --out build/bundle --disable HIM-PRIV-001
    """
    from himaya.bundles.manifest import BundleError
    from himaya.bundles.build import build_bundle
    from himaya.core.scanner import default_rules_path

    try:
        manifest, changed, warnings = build_bundle(
            rules_dir or default_rules_path(), out_dir, list_id=list_id, version=version,
            valid_days=valid_days, disable=disable, enable=enable, threshold=threshold,
            min_client=min_client, refresh=refresh)
    except BundleError as exc:
        _fail(exc)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    state = "built" if changed else "unchanged (use --refresh to re-issue)"
    click.echo(f"{manifest.list_id} version {manifest.version}: {state}; {len(manifest.files)} files, "
               f"expires {manifest.expires}, needs {manifest.threshold} signature(s)")
    if changed:
        click.echo(f"next: himaya rules sign {out_dir} --key YOUR.key")


@rules.command()
@click.argument("bundle_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--key", "key_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Your private key (from himaya rules keygen).")
@click.option("--minisig", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Add a signature made with the minisign tool over manifest.json instead.")
def sign(bundle_dir, key_path, minisig):
    """Add your signature to a bundle's manifest (k of n staff may sign).

    Example: himaya rules sign build/bundle --key ~/himaya-keys/amal.key
    """
    from himaya.bundles.manifest import BundleError
    from himaya.bundles.build import add_signature, read_bundle, sign_bundle
    from himaya.bundles.signing import SigningError, key_is_encrypted, load_private_key

    if bool(key_path) == bool(minisig):
        raise click.UsageError("give exactly one of --key or --minisig")
    try:
        if minisig:
            key_id = add_signature(bundle_dir, minisig.read_text(encoding="utf-8"))
        else:
            passphrase = _passphrase(confirm=False) if key_is_encrypted(key_path) else None
            key_id = sign_bundle(bundle_dir, load_private_key(key_path, passphrase))
        bundle = read_bundle(bundle_dir)
    except (BundleError, SigningError) as exc:
        _fail(exc)
    click.echo(f"signed by {key_id}: {len(bundle.signatures)} signature(s), "
               f"{bundle.manifest.threshold} required")


@rules.command()
@click.argument("bundle_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--trusted-keys", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Pinned keys to check against (default: the ones shipped in the package).")
def publish(bundle_dir, dest, trusted_keys):
    """Lay out a signed bundle in DEST for static hosting or a USB key.

    Refuses what computers would refuse (bad or missing signatures, expired,
    not newer than what DEST already holds).

    Example: himaya rules publish build/bundle /var/www/himaya
    """
    from himaya.bundles.manifest import BundleError
    from himaya.bundles.build import publish as do_publish
    from himaya.bundles.signing import SigningError, load_trusted_keys
    from himaya.bundles.updater import TRUSTED_KEYS

    try:
        summary = do_publish(bundle_dir, dest, load_trusted_keys(trusted_keys or TRUSTED_KEYS))
    except (BundleError, SigningError) as exc:
        _fail(exc)
    click.echo(f"published version {summary['version']} to {dest}: {summary['objects_written']} new "
               f"file(s) of {summary['objects_total']}")


def _manager():
    from himaya.companion.config import data_home, load
    from himaya.bundles.updater import RuleManager

    home = data_home()
    return RuleManager(home, load(home))


@rules.command()
@click.option("--from", "source", metavar="URL|PATH",
              help="Where to look (default: the configured update-url).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def update(source, as_json):
    """Fetch, verify, test and activate a newer rule list; keep the current one on any failure.

    Example: himaya rules update --from /media/usb/himaya
    """
    result = _manager().update(source)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    elif result["ok"]:
        extra = ""
        if result["status"] == "updated":
            extra = f" ({len(result['fetched'])} file(s) fetched, {len(result['reused'])} kept)"
        click.echo(f"{result['status']}: version {result['version']}{extra}")
    else:
        click.echo(f"{result['message'][_lang()]}\n  [{result['error']}] {result['detail']}", err=True)
    if not result["ok"]:
        raise SystemExit(1)


@rules.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json):
    """Show the active list: id, version, expiry, last check and last error.

    Example: himaya rules status --json
    """
    info = _manager().status()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    lang = _lang()
    click.echo(f"list:       {info['list_id']} version {info['version']} ({info['rules']} rules active)")
    click.echo(f"expires:    {info['expires']}" + ("  STALE" if info["stale"] else ""))
    if info["stale"]:
        click.echo(f"            {info['stale_message'][lang]}")
    click.echo(f"source:     {info['source']}")
    click.echo(f"last check: {info['last_check'] or 'never'}")
    if info["disabled"]:
        click.echo(f"disabled:   {', '.join(info['disabled'])}")
    error = info["last_error"]
    click.echo(f"last error: {'none' if not error else error['message'][lang]}")
    if error:
        click.echo(f"            [{error['error']}] {error['detail']} ({error['at']})")
