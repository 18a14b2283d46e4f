"""The matching core loads alone: no Flask, SQLite, click, server or store (ARCHITECTURE.md).
(tldextract imports requests, but is built offline and never fetches: see links.py.)"""

import json
import subprocess
import sys


def test_core_imports_no_service_store_or_cli():
    code = (
        "import sys, json; from himaya import Scanner; Scanner.load(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'werkzeug', 'sqlite_utils', 'sqlite3', 'click', 'waitress', 'cryptography') "
        "or m in ('himaya.app', 'himaya.store', 'himaya.api', 'himaya.cli', 'himaya.guard', 'himaya.bundle'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
