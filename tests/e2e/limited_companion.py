"""`himaya serve` with another per-client rate limit, for the browser tests of
the companion pushing back (429 + Retry-After). The shipped command has no
such option: the limit is part of the design (server/himaya/companion/guard.py).

    python limited_companion.py --port 0 --extension-id <id> --rate 40 120

Prints the same lines as `himaya serve` (address, pairing code, data folder).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from himaya.companion import instance, pairing
from himaya.companion.config import ensure_private_dir
from himaya.companion.serving import Server, setup_logging


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--extension-id", action="append", default=[])
    parser.add_argument("--rate", type=float, nargs=2, metavar=("PER_SECOND", "BURST"), required=True)
    args = parser.parse_args()
    home = Path(os.environ["HIMAYA_HOME"])
    ensure_private_dir(home)
    setup_logging(home)
    claim = instance.claim(home, args.port)  # as `himaya serve`: `himaya status` finds it by the lock file
    server = Server.open(home, args.port, extension_ids=args.extension_id, app_config={"RATE_LIMIT": tuple(args.rate)})
    claim.update(server.port)
    print(f"Himaya companion running on http://127.0.0.1:{server.port}")
    print(f"Pairing code: {pairing.pretty(pairing.new_code(home))}", flush=True)
    try:
        server.run()
    finally:
        claim.release()


if __name__ == "__main__":
    main()
