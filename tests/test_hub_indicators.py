"""Indicators from a report (hub/indicators.py): canonical pages per platform, invite links,
Tunisian phone numbers, codes, emoji legends, neighbourhoods from the gazetteer, handles,
sister pages; which are common. Pure functions, no database."""

from __future__ import annotations

import pytest

from himaya.hub.indicators import extract, find_places, page_key


@pytest.mark.parametrize("url, key", [
    ("https://www.facebook.com/profile.php?id=100000777000", "facebook:id:100000777000"),
    ("https://m.facebook.com/Fraise.Sousse.000/", "facebook:name:fraisesousse000"),
    ("https://web.facebook.com/fraisesousse000/posts/12?ref=x", "facebook:name:fraisesousse000"),
    ("https://www.facebook.com/groups/zone.ennasr.000/permalink/5", "facebook:name:zoneennasr000"),
    ("https://www.facebook.com/groups/123000456/", "facebook:id:123000456"),
    ("https://www.facebook.com/pages/Zone-Ennasr/100000999000", "facebook:id:100000999000"),
    ("https://www.instagram.com/Lina.Exemple.000/", "instagram:lina.exemple.000"),
    ("https://www.instagram.com/stories/lina.exemple.000/31", "instagram:lina.exemple.000"),
    ("https://www.tiktok.com/@kamel.000/video/7000", "tiktok:kamel.000"),
    ("https://twitter.com/Zone_000", "x:zone_000"),
    ("https://x.com/zone_000/status/1", "x:zone_000"),
    ("https://t.me/zone_ennasr_000", "telegram:zone_ennasr_000"),
    ("fb.com/zone.000", "facebook:name:zone000"),
])
def test_pages_are_canonical_per_platform(url, key):
    assert page_key(url)[0] == key


@pytest.mark.parametrize("url", ["https://www.facebook.com/watch/?v=1", "https://www.instagram.com/p/Cx000/",
                                 "https://x.com/home", "https://www.tiktok.com/foryou", "https://t.me/+Ab000Cd",
                                 "https://social.example/p/1", "javascript:alert(1)"])
def test_non_pages_have_no_page_key(url):
    assert page_key(url) is None


def _kinds(text, url="https://www.facebook.com/zone.000", author=None):
    record = {"page": {"url": url}, "units": [{"kind": "post", "text": text, "author": author}]}
    return {(i.kind, i.value) for i in extract(record)}


def test_invite_links_of_every_closed_space():
    found = _kinds("t.me/+Zk000Qx, https://t.me/joinchat/Ab000, chat.whatsapp.com/Gx000Yz, discord.gg/zone000, "
                   "discord.com/invite/other000, snapchat.com/add/Lina.000")
    invites = {v for k, v in found if k == "invite"}
    assert invites == {"telegram:+Zk000Qx", "telegram:+Ab000", "whatsapp:Gx000Yz", "discord:zone000",
                       "discord:other000", "snapchat:lina.000"}


def test_tunisian_phone_numbers_in_their_spellings():
    found = _kinds("appelle 22 000 123 ou +216 98.000.456 ou 0021655000789 ou wa.me/21629000111 ou ٢٢٠٠٠١٢٣")
    assert {v for k, v in found if k == "phone"} == {"+21622000123", "+21698000456", "+21655000789",
                                                      "+21629000111"}
    assert not {v for k, v in _kinds("prix 70dt, 120 TND, id 100000777000123") if k == "phone"}


def test_codes_legends_and_emoji():
    found = _kinds("🍓=nouvelles 🍒 : 16 jdod = 🍑 code: Zone77 الكود 4455 code promo, le code c'est menzah77")
    assert {v for k, v in found if k == "legend"} == {"🍓=nouvelles", "🍒=16", "🍑=jdod"}
    assert {v for k, v in found if k == "code"} == {"zone77", "4455", "menzah77"}  # "code promo" is no code
    assert {v for k, v in found if k == "emoji"} >= {"🍓", "🍒"}


def test_handles_admins_and_authors():
    found = _kinds("contactez l admin @wasit.zone.000 ou snap: lina.exemple.000, tg: @kamel_000. écrivez à "
                   "salah@mail.example", author="Zone.Admin.000")
    assert {v for k, v in found if k == "handle"} == {"wasit.zone.000", "lina.exemple.000", "kamel_000",
                                                      "zone.admin.000"}


def test_places_from_the_gazetteer_in_both_scripts():
    assert find_places("rendez-vous à Cité Ennasr ce soir") == ["cite ennasr"]  # the longest name
    assert find_places("on se voit à Sousse") == ["sousse"]
    arabic = find_places("في النصر و بالمنزه")
    assert len(arabic) == 2


def test_sister_pages_named_in_the_text_and_what_is_common():
    record = {"page": {"url": "https://www.instagram.com/zone.ennasr.000/"},
              "units": [{"kind": "post", "text": "page 2: instagram.com/zone.ennasr.2.000 🍓 Sousse"}]}
    found = {(i.kind, i.value): i for i in extract(record)}
    assert ("page", "instagram:zone.ennasr.2.000") in found and ("page", "instagram:zone.ennasr.000") in found
    common = {key for key, i in found.items() if i.common}
    assert common == {("site", "instagram.com"), ("emoji", "🍓"), ("place", "sousse")}
