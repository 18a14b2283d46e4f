"""The matcher on the test rules of tests/fixtures/rules: views, windows,
exclusions, escalation, links, emoji, regexes, kinds and statuses."""

from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.links import link_hash
from himaya.core.rules import load_ruleset

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture(scope="module")
def fx():
    return Scanner.load(FIXTURES)


def rules_of(verdict):
    return {m.rule for m in verdict.matches}


@pytest.mark.parametrize(
    "text",
    [
        "ajoute moi sur snap",
        "ajoute-moi sur Snapchat stp",
        "AJOUTE MOI SUR ＳＮＡＰ",  # fullwidth
        "ajou\u200bte moi sur sn\u200cap",  # zero-width
        "ajoute moi sur ѕnаp",  # Cyrillic look-alikes
        "ajoooute moi sur snaaap",  # stretched
        "a j o u t e moi sur s.n.a.p",  # spaced letters
        "ajoute moi sur t3l3gr4m",  # leetspeak of a known word
        "ajoute moi sur snapcht",  # one edit away (fuzzy)
        "zidni 3al telegram",
        "zidni 3la telegram",  # Arabizi spelling variation (skeleton view)
        "زيدني على السناب",
        "زيدني على سناب",
    ],
)
def test_evasion_still_matches(fx, text):
    v = fx.scan(text)
    assert "T-INVITE" in rules_of(v), text
    assert v.risk and v.severity == "medium"


def test_spans_point_at_what_the_person_saw(fx):
    text = "coucou, ajoute\u200b-moi sur ѕnаp stp"
    (m,) = fx.scan(text).matches
    assert [text[s:e] for s, e in m.spans] == ["ajoute\u200b-moi", "ѕnаp"]


def test_whole_tokens_only(fx):
    assert not fx.scan("rajoute moins sur snapper").matches


def test_window_bounds_positive_evidence(fx):
    far = "ajoute moi " + "blabla " * 12 + "snap"
    assert "T-INVITE" not in rules_of(fx.scan(far))
    assert "T-INVITE" in rules_of(fx.scan("ajoute moi " + "blabla " * 3 + "snap"))


def test_exclusion_applies_to_the_whole_unit(fx):
    text = "ajoute moi sur snap " + "bla " * 30 + "c'est le groupe de la famille"
    assert "T-INVITE" not in rules_of(fx.scan(text))


def test_escalation_raises_severity(fx):
    v = fx.scan("ajoute moi sur snap, c'est notre secret")
    assert v.severity == "high"


def test_short_words_are_never_fuzzy(fx):
    # "snip" is one edit from "snap" but four letters: no approximate match
    assert "T-INVITE" not in rules_of(fx.scan("ajoute moi sur snip"))


def test_leetspeak_is_not_applied_to_arabizi(fx):
    # 3 is a letter in Arabizi: "3omrek" must not be read as "eomrek"
    from himaya.core.normalize import normalize, alt_view

    assert alt_view(normalize("9adech 3omrek"), fx.index._c.leet_vocab) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rejoins t.me/+AbCd000 vite", True),
        ("https://t.me/joinchat/Q000xyz", True),
        ("https://chat.whatsapp.com/Xy000zz", True),
        ("HTTPS://WWW.T.ME/+AbCd000", True),
        ("t.me/bac_revision", False),  # a public channel, not an invite
        ("https://t.me.evil.example/+AbC", False),  # look-alike host
        ("https://evil.example/t.me/+AbC", False),
        ("https://user:pw@t.me.evil.example/+x", False),
    ],
)
def test_links_match_the_real_host_only(fx, text, expected):
    assert ("T-LINK" in rules_of(fx.scan(text, kind="post"))) is expected


def test_link_alone_is_a_cue_and_lure_emoji_escalates(fx):
    cue = fx.scan("t.me/+AbCd000")
    assert cue.severity == "low" and not cue.risk and cue.matches
    lure = fx.scan("t.me/+AbCd000 🔒")
    assert lure.severity == "medium" and lure.risk


def test_emoji_skin_tone_and_variation_folded(fx):
    assert fx.scan("t.me/+AbCd000 🤫\ufe0f").severity == "medium"


def test_url_sha256_indicator(tmp_path):
    import shutil

    d = tmp_path / "rules"
    shutil.copytree(FIXTURES, d)
    digest = link_hash("t.me", "/secret_group_000")
    path = d / "link.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("0" * 64, digest), encoding="utf-8")
    sc = Scanner.load(d)
    assert "T-LINK" in rules_of(sc.scan("go to t.me/secret_group_000/"))
    assert "T-LINK" not in rules_of(sc.scan("go to t.me/secret_group_001"))


def test_page_url_counts_as_a_link(fx):
    assert "T-LINK" in rules_of(fx.scan("", kind="url", url="https://t.me/+AbCd000"))


@pytest.mark.parametrize("url", [
    "javascript:alert(1)//t.me/+x", "data:text/html,t.me/+x", "https://t.me.evil.example/+x",
    "https://[::1]/+x", "https://" + "a" * 10_000 + ".example/+x", "https://xn--tme-0na.example/+x",
])
def test_hostile_page_urls_are_parsed_safely(fx, url):
    assert "T-LINK" not in rules_of(fx.scan("", kind="url", url=url))


def test_regex_and_experimental_rules_are_counted_not_shown(fx):
    v = fx.scan("dispo ce soir 50dt, 16 ans")
    assert [m.rule for m in v.experimental] == ["T-PRICE"]
    assert not v.matches and not v.risk


def test_regex_spans_map_to_the_original(fx):
    text = "DISPO — 50 DT, 16 ans"
    (m,) = fx.scan(text).experimental
    assert [text[s:e] for s, e in m.spans] == ["50 DT", "16 ans"]


def test_stems_match_inside_arabic_words(fx):
    assert "T-PHOTO" in rules_of(fx.scan("ابعثلي صورتك"))
    assert "T-PHOTO" in rules_of(fx.scan("ارسلي تصويرتك"))
    assert "T-PHOTO" not in rules_of(fx.scan("ابعثلي تصويرة الكراس"))


def test_applies_to_limits_kinds(fx):
    # T-INVITE has no applies_to: all kinds; scanning as a url still works
    assert "T-INVITE" in rules_of(fx.scan("ajoute moi sur snap", kind="profile"))
    with pytest.raises(ValueError):
        fx.scan("x", kind="tweet")


def test_disabled_rules_stop_at_once():
    rs = load_ruleset(FIXTURES)
    sc = Scanner.from_ruleset(rs, disabled={"T-INVITE"})
    assert not sc.scan("ajoute moi sur snap").matches


def test_score_and_verdict_dict(fx):
    v = fx.scan("ajoute moi sur snap, c'est notre secret")
    d = v.to_dict()
    assert d["risk"] is True and d["severity"] == "high" and 0 < d["score"] <= 1
    (m,) = d["matches"]
    assert set(m) == {"rule", "category", "severity", "spans", "title", "explain"}
    assert set(m["explain"]) == {"child", "parent"} and set(m["title"]) >= {"fr", "ar", "en"}


def test_nothing_found(fx):
    v = fx.scan("bonne journée à tous")
    assert (v.risk, v.severity, v.score, v.matches) == (False, "none", 0.0, [])


def test_concurrent_scans_agree(fx):
    from concurrent.futures import ThreadPoolExecutor

    texts = ["ajoute moi sur snap", "bonjour", "t.me/+AbCd000 🔒", "zidni 3al telegram"] * 50
    expected = [fx.scan(t).to_dict() for t in texts]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda t: fx.scan(t).to_dict(), texts))
    assert got == expected


def test_python_fallback_engine_gives_the_same_answers():
    from himaya.core.textindex import TokenAutomaton

    pats = {" ajoute moi ": ["A"], " snap ": ["S"], "صور": ["P"], " moi sur ": ["M"]}
    tokens = ["ajoute", "moi", "sur", "snap", "ابعثلي", "صورتك"]
    rust = sorted(TokenAutomaton(pats).find(tokens))
    python = sorted(TokenAutomaton(pats, engine="python").find(tokens))
    assert rust == python == sorted([(["A"], 0, 1), (["M"], 1, 2), (["S"], 3, 3), (["P"], 5, 5)])



def test_a_search_locates_only_the_patterns_asked_for():
    from himaya.core.textindex import TokenAutomaton

    pats = {" ajoute moi ": ["A"], " snap ": ["S"], " moi sur ": ["M"]}
    ta = TokenAutomaton(pats)
    tokens = ["ajoute", "moi", "sur", "snap", "et", "snap"]
    hits = ta.search(tokens)
    index = {k: i for i, k in enumerate(ta.keys)}
    assert hits.patterns() == {index[" ajoute moi "], index[" snap "], index[" moi sur "]}
    assert sorted(hits.where()) == sorted(ta.find(tokens))
    assert hits.where({index[" snap "]}, by_index=True) == [(index[" snap "], 3, 3), (index[" snap "], 5, 5)]
    assert hits.where({index[" moi sur "]}) == [(["M"], 1, 2)]
    # changes so dense that the whole view is searched: with whole=True its matches come back unfiltered
    near = ta.find_near(tokens, [0, 1, 2, 3, 4, 5], whole=True)
    assert sorted(near.where()) == sorted(ta.find(tokens))
    assert ta.find_near(tokens, [5]) == [(["S"], 5, 5)]


def test_a_search_near_changes_makes_the_form_of_the_tokens_near_them_only():
    from himaya.core.textindex import TokenAutomaton

    ta = TokenAutomaton({" snap ": ["S"], " ajoute moi ": ["A"]})  # reach: 2 tokens
    tokens = ["AJOUTE", "MOI", "x", "x", "x", "x", "x", "x", "SNAP", "x"]
    seen = []

    def lower(token):
        seen.append(token)
        return token.lower()

    assert ta.find_near(tokens, [8], form=lower) == [(["S"], 8, 8)]
    assert "AJOUTE" not in seen and "MOI" not in seen and len(seen) < len(tokens)
    # dense changes: every token is read, with the same answers as the formed view
    formed = [t.lower() for t in tokens]
    assert ta.find_near(tokens, list(range(10)), form=lower) == ta.find_near(formed, list(range(10)))
    assert sorted(ta.find_near(tokens, [0, 8], form=lower)) == [(["A"], 0, 1), (["S"], 8, 8)]


def test_a_page_of_common_words_never_works_out_where_they_are(scanner, monkeypatch):
    """Positions are worked out only for the patterns of the rules still in play
    (a search with a handful of matches excepted, placed at once): lexicon words
    that bring no rule that far cost no per-occurrence work."""
    from himaya.core import textindex
    from himaya.core.matcher import EAGER_HITS

    asked = []
    real = textindex.Hits.where
    monkeypatch.setattr(textindex.Hits, "where", lambda self, wanted=None, by_index=False:
                        asked.append((wanted, len(self.raw))) or real(self, wanted, by_index))
    page = " ".join(["bonjour à tous, le match de foot est demain soir au stade avec les copains"] * 200)
    assert not scanner.scan(page, kind="post").matches
    assert all(wanted is None and hits <= EAGER_HITS for wanted, hits in asked)
    asked.clear()
    assert scanner.scan(page + ". t'as quel âge ? viens en privé sur snap", kind="post").risk
    chosen = [wanted for wanted, hits in asked if hits > EAGER_HITS]
    assert chosen and all(wanted is not None and len(wanted) < 5 for wanted in chosen)  # that rule's few patterns

GUARD_RULE = """
id: T-GUARD
title: {en: Go-between, fr: Intermédiaire, ar: وسيط}
category: services-ad
status: test
severity: medium
terms:
  middle: {kind: phrase, values: {fr: ["intermédiaire"], ar: ["وسيط"]}, unless_after: ["sans", "pas besoin d", "بلا"]}
  girls: {kind: phrase, values: {ar: ["=للبنات"]}}
  pupils: {kind: phrase, values: {ar: ["بنات الكوليج"]}}
  publish: {kind: phrase, values: {ar: ["أنشر*"]}}
  willtell: {kind: phrase, values: {ar: ["سأخبر*"]}}
condition: middle or girls or pupils or publish or willtell
explain:
  child: {en: "x", fr: "x", ar: "x"}
  parent: {en: "x", fr: "x", ar: "x"}
"""


def _with_rule(tmp_path_factory, name, rule):
    """A scanner on the test rules plus one more rule."""
    import shutil

    d = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(FIXTURES, d)
    (d / name).write_text(rule, encoding="utf-8")
    return Scanner.load(d)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    return _with_rule(tmp_path_factory, "guard.yaml", GUARD_RULE)


@pytest.mark.parametrize("text, expected", [
    ("contactez l'intermédiaire", True),
    ("vente directe, sans intermédiaire", False),
    ("pas besoin d'intermédiaire", False),
    ("بلا وسيط", False),
    ("عبر الوسيط", True),  # proclitic view still applies to other words
    ("للبنات فقط", True),
    ("وللبنات", True),  # its own prefix, with a conjunction in front
    ("قروب بنات الحومة", False),  # `=` keeps the term's prefix: not any بنات
    ("قروب لبنات الكوليج", True),  # a prefix on a word whose own first letter reads as one
    ("وبنات الكوليج زادة", True),
    ("سأنشرها غدا", True),  # the future "sa-" read through in the text
    ("وسأنشرها", True),
    ("ساعة", False),
    ("سأخبرهم", True),
    ("أخبرتني أمي", False),  # a value keeps its future: "I will tell" is not "she told me"
])
def test_unless_after_and_kept_prefixes(guarded, text, expected):
    assert ("T-GUARD" in rules_of(guarded.scan(text))) is expected


SKELETON_RULE = """
id: T-SKEL
title: {en: Parents at work, fr: Parents au travail, ar: الوالدان في العمل}
category: age-probe
status: test
severity: low
terms:
  works: {kind: phrase, values: {aeb-Latn: ["ta5dem", "sawwer el page"]}}
  back: {kind: phrase, values: {aeb-Latn: ["traj3ch"]}, arabizi: false}
  fr_word: {kind: phrase, values: {fr: ["travaille"]}}
condition: works or back or fr_word
explain:
  child: {en: "x", fr: "x", ar: "x"}
  parent: {en: "x", fr: "x", ar: "x"}
"""


@pytest.fixture(scope="module")
def skeletons(tmp_path_factory):
    return _with_rule(tmp_path_factory, "skel.yaml", SKELETON_RULE)


@pytest.mark.parametrize("text, expected", [
    ("ommek ta5dem?", True),
    ("ommek t5adem?", True),  # another Arabizi spelling: the same consonant skeleton
    ("ommek te5dim?", True),
    ("je les publie sur la page", False),  # "el" and "sur" have no skeleton worth the name
    ("ken ma terja3ch", False),  # arabizi: false: "traj3ch" by its letters only
    ("rod traj3ch", True),
    ("elle travail", False),  # French values get no skeleton
])
def test_arabizi_skeletons_of_phrase_values(skeletons, text, expected):
    assert ("T-SKEL" in rules_of(skeletons.scan(text))) is expected


def test_links_are_found_as_a_search_of_the_whole_text_finds_them():
    """find_links searches only the runs around a dot before a letter: the same links,
    with the same spans, as the link expression run over the whole text, including
    spaces RE2 does not count as spaces (a no-break space inside a "link") and the
    letters its case folding reads as k and s."""
    import random

    from himaya.core.links import _LINK_RE, _TRAILING, find_links, parse_link

    def whole(text):
        out = []
        for m in _LINK_RE.finditer(text):
            raw, (s, e) = m.group(0), m.span()
            while raw and raw[-1] in _TRAILING:
                raw, e = raw[:-1], e - 1
            link = parse_link(raw, s, e) if "." in raw else None
            if link is not None:
                out.append(link)
        return out

    pieces = ["t.me/+Ab12", "wa.me/21600000", "http://", "x.", ".com", ".\u212az", ".\u017fite", ".tn", "a@b.",
              "موقع.تونس", "..", ". ", " ", "\t", "\n", "\u00a0", "\u2003", "\v", "ab", "K", "/p?q=1", "),", "snap"]
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        assert find_links(text) == whole(text), repr(text)
