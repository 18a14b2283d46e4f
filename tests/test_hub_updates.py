"""The hub serves the published bundle folder (docs/PUBLISHING.md) as the companions' update
address: a companion's updater verifies and installs the list from `http://<hub>/updates/`."""

from __future__ import annotations

import pytest
from hub_helpers import HubProcess
from test_bundle import trusted_file
from test_update import FILES, publish_version

from himaya.bundles.updater import RuleManager
from himaya.hub import settings

pytestmark = pytest.mark.slow


def test_a_companion_updates_its_rules_from_the_hub(tmp_path):
    from himaya.bundles.signing import generate_key

    key = generate_key()
    www = tmp_path / "published"
    publish_version(tmp_path, www, FILES, 7, [key])
    hub_home = tmp_path / "hub"
    settings.hub_home(hub_home)
    settings.save(hub_home, {"bundles": str(www)})
    hub = HubProcess(hub_home)
    try:
        manager = RuleManager(tmp_path / "companion", {"trusted-keys": str(trusted_file(tmp_path / "t.json", [key]))})
        result = manager.update(f"{hub.url}/updates/")
        assert result["status"] == "updated", result
        assert manager.status()["version"] == 7
        again = manager.update(f"{hub.url}/updates/")
        assert again["status"] in ("not_modified", "up_to_date"), again
        import urllib.error
        import urllib.request

        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{hub.url}/updates/../hub.json", timeout=5)
        assert missing.value.code in (400, 404)
        missing.value.close()
    finally:
        hub.stop()
