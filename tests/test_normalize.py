"""The normalizer undoes evasion once, and every token keeps its original span."""

import pytest

from himaya.core.normalize import WordCache, alt_view, loose, normalize, normalize_term, skeleton


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ｂｏｎｊｏｕｒ", ["bonjour"]),  # fullwidth
        ("sn\u200bap", ["snap"]),  # zero-width space inside a word
        ("s\u00adn\u2060a\u200dp", ["snap"]),  # soft hyphen, word joiner, joiner
        ("\u202etelegram\u202c", ["telegram"]),  # bidi controls
        ("Tеlеgrаm", ["telegram"]),  # Cyrillic look-alikes in a Latin word
        ("sесrеt", ["secret"]),
        ("ÉCOLE élève", ["ecole", "eleve"]),  # accents and case
        ("ta sœur, Œuvre", ["ta", "soeur", "oeuvre"]),  # French ligatures, which NFKD keeps whole
        ("saluuuuut", ["saluut"]),  # runs of 3+ become 2
        ("قَدَّاشْ عُمْرِكْ", ["قداش", "عمرك"]),  # tashkeel dropped
        ("بــــرشا", ["برشا"]),  # tatweel
        ("أحمد إلى آخر", ["احمد", "الي", "اخر"]),  # alef forms, alef maksura
        ("مدرسة", ["مدرسه"]),  # ta marbuta
        ("١٥ سنة ۱۵", ["15", "سنه", "15"]),  # Arabic-Indic and Eastern digits
        ("ﻻ", ["لا"]),  # presentation form
        ("t'as quel âge", ["t", "as", "quel", "age"]),
        ("snap_chat", ["snap", "chat"]),  # underscore separates
        ("1000dt", ["1000dt"]),  # digit runs are never shortened
    ],
)
def test_normalize_tokens(raw, expected):
    assert normalize(raw).tokens == expected


def test_real_cyrillic_words_keep_their_letters():
    assert normalize("привет").tokens == ["привет"]


def test_spans_point_into_the_original():
    text = "coucouuuu, t'as q\u200cuel âge ??"
    n = normalize(text)
    assert [text[s:e] for s, e in n.spans] == ["coucouuuu", "t", "as", "q\u200cuel", "âge"]


def test_diacritics_between_tokens_stay_with_their_word():
    text = "s\u0301nap moi"  # combining acute right after the first letter
    n = normalize(text)
    assert n.tokens == ["snap", "moi"]
    assert text[slice(*n.spans[0])] == "s\u0301nap"


def test_emoji_variation_selectors_do_not_split_words():
    n = normalize("merci ❤️ beaucoup")
    assert n.tokens == ["merci", "beaucoup"]


def test_full_view_keeps_punctuation_and_maps_back():
    text = "Prix: 50 DT, âge 15-17 ans"
    n = normalize(text)
    full = n.full()
    assert full == "prix: 50 dt, age 15-17 ans"
    pos = full.index("15-17")
    assert text[n.full_to_original(pos):n.full_to_original(pos + 4) + 1] == "15-17"


def test_loose_and_skeleton_views():
    assert loose("trooop") == "trop" and loose("9addeh") == "9adeh"
    assert skeleton("9adech") == skeleton("kadech") == "kdc"
    assert skeleton("3omrek") == skeleton("omrek") == "mrk"
    assert skeleton("barcha") == skeleton("bercha")
    assert skeleton("قداش") == "قداش"  # Arabic script is left alone


def test_alt_view_joins_spaced_letters_and_reads_known_leet_only():
    n = normalize("ajoute moi sur t.e.l.e.g.r.a.m ou t3l3gr4m, 9adech 3omrek")
    tokens, cover, changed = alt_view(n, {"telegram"})
    assert tokens == ["ajoute", "moi", "sur", "telegram", "ou", "telegram", "9adech", "3omrek"]
    assert cover[3] == (3, 10) and cover[4] == (11, 11) and cover[5] == (12, 12)
    assert changed == [3, 5]


def test_alt_view_is_none_when_nothing_changes():
    assert alt_view(normalize("9adech 3omrek enti"), {"telegram"}) is None


def test_terms_go_through_the_same_pipeline():
    assert normalize_term("T'AS QUEL ÂGE") == normalize("t'as quel age").tokens


def test_empty_and_separator_only_text():
    assert normalize("").tokens == []
    assert normalize(" \u200b ... ").tokens == []
    assert normalize("").full() == ""


def test_spaced_run_is_cut_into_the_rule_words_it_spells():
    words = {"ajoute", "moi", "r", "u", "ru", "alone", "camera", "l", "snap"}
    assert alt_view(normalize("a j o u t e m o i"), set(), words)[0] == ["ajoute", "moi"]
    assert alt_view(normalize("r u a l o n e"), set(), words)[0] == ["r", "u", "alone"]
    assert alt_view(normalize("7ell l c a m e r a"), set(), words)[0] == ["7ell", "l", "camera"]
    # no rule word inside: the whole run is one word, for the fuzzy views to judge
    assert alt_view(normalize("n f a d d h e k"), set(), words)[0] == ["nfaddhek"]


def test_spaced_run_ties_read_from_the_left():
    words = {"a", "get", "age", "t", "es"}
    assert alt_view(normalize("quel â g e ? t'es"), set(), words)[0] == ["quel", "age", "t", "es"]


def test_dotted_words_keep_the_spaces_between_them():
    n = normalize("h.o.w o.l.d a.r.e y.o.u ? s n a p")
    assert alt_view(n, set(), {"how", "old", "are", "you"})[0] == ["how", "old", "are", "you", "snap"]


def test_spaced_words_are_cut_where_the_spaces_are_wider():
    n = normalize("n e  d i s  r i e n  à  t a  m è r e")
    assert alt_view(n, set(), {"ne", "dis", "rien", "ta", "mere"})[0] == ["ne", "dis", "rien", "a", "ta", "mere"]
    # evenly spaced letters stay one word
    assert alt_view(normalize("s n a p c h a t"), set(), {"snapchat"})[0] == ["snapchat"]


def test_proclitics():
    from himaya.core.normalize import strip_clitic

    assert strip_clitic("والحومه") == "حومه" and strip_clitic("للمراهقات") == "مراهقات"
    assert strip_clitic("ولا") == "لا" and strip_clitic("وما") == "ما"
    assert strip_clitic("لا") == "لا" and strip_clitic("بنت") == "بنت" and strip_clitic("snap") == "snap"


@pytest.mark.parametrize("typed, bare", [
    ("nechrihomlek", "nechrilek"), ("ab3athhouli", "ab3athli"), ("nab3athhalek", "nab3athlek"),
    ("نشريهملك", "نشريلك"), ("ابعثهالي", "ابعثلي"), ("والنشريهملك", "نشريلك"),
    # no object pronoun, or too short a stem to hold one
    ("nab3athlek", "nab3athlek"), ("ahlek", "ahlek"), ("اهالي", "اهالي"), ("الاهالي", "اهالي"),
])
def test_a_derja_object_pronoun_is_read_through(typed, bare):
    """The proclitic-free view drops the object pronoun between a verb and its "to
    me / to you" ending, so "nechri-hom-lek" meets a rule's "nechrilek"."""
    from himaya.core.normalize import token_forms

    assert token_forms(normalize(typed).tokens[0])[1] == bare


def test_kaf_is_not_taken_for_a_prefix():
    from himaya.core.normalize import strip_clitic

    assert strip_clitic("كلامك") == "كلامك"  # "your words", not "to your mother"


def test_format_characters_table_misses_none_of_the_skipped_blocks():
    """normalize skips blocks that Unicode allocates to ideographs, Hangul,
    surrogates and private use when it lists the format characters it drops;
    the interpreter's own database must agree that none is there."""
    import unicodedata

    from himaya.core import normalize as module

    every = {cp for cp in (*range(0x30000), *range(0xE0000, 0xE0080)) if unicodedata.category(chr(cp)) == "Cf"}
    assert set(module._DROP_FORMAT) - {*range(0xFE00, 0xFE10), 0x20E3} == every
    assert 0x200B in every and 0xE0041 in every  # the table is not empty by mistake


@pytest.mark.parametrize("text, full", [
    ("coques iphone 13/14, 18d", "coques iphone_13/14, 18d"),  # a model, not an age band
    ("redmi 12 w galaxy a14", "redmi_12 w galaxy a14"),
    ("bnet 13/14 sna", "bnet 13/14 sna"),  # an age band stays one
    ("age max 15", "age max 15"),
])
def test_a_number_after_a_product_name_is_its_model_in_the_regex_view(text, full):
    n = normalize(text)
    assert n.full() == full
    digit = full.find("1")  # the offsets the regexes map back do not move
    assert text[n.full_to_original(digit)] == "1"


def test_a_word_cache_makes_each_new_word_once_keeps_short_keys_and_stays_bounded():
    made = []
    cache = WordCache(lambda w: made.append(w) or w.upper(), limit=3, key_max=5)
    assert cache.all(["ab", "cd", "ab", "toolong", "toolong"]) == ["AB", "CD", "AB", "TOOLONG", "TOOLONG"]
    assert made == ["ab", "cd", "toolong", "toolong"]  # a key over key_max is made where it stands, never kept
    assert dict(cache) == {"ab": "AB", "cd": "CD"}
    assert cache["ef"] == "EF" and len(cache) == 3
    assert cache.all(["gh", "ab"]) == ["GH", "AB"]  # full: emptied before "gh" is kept, "ab" made again
    assert dict(cache) == {"gh": "GH", "ab": "AB"} and made[-2:] == ["gh", "ab"]


def test_the_caches_of_a_scanner_do_not_keep_it_alive():
    """A rules update replaces the scanner: its model and near-spelling caches must not
    hold it in a cycle (settle_memory freezes the collector's view of what is alive)."""
    import gc
    import weakref

    import numpy as np

    from himaya.core.matcher import _FuzzyIndex
    from himaya.core.model import Model

    model = Model(("benign", "age-probe"), {"w|snap": 0}, np.zeros((1, 2), dtype=np.float32),
                  np.zeros(2, dtype=np.float32), {"age-probe": 0.5}, {"age-probe": True})
    fuzzy = _FuzzyIndex({"snapchat", "telegram"})
    model.feature_ids(normalize("snap snap"), "message"), fuzzy.nearest_all(["snapchet", "x"])
    assert fuzzy.nearest("snapchet") == "snapchat"
    refs = [weakref.ref(model), weakref.ref(fuzzy)]
    gc.disable()
    try:
        del model, fuzzy
        assert [r() for r in refs] == [None, None]  # freed by reference counting alone
    finally:
        gc.enable()


def test_spaced_letters_are_found_beside_a_token_too_long_for_a_byte():
    long_word = "ab" * 150  # 300 characters: its length fits no byte
    n = normalize(f"s n a p {long_word} e t d i s")
    assert len(n.tokens[4]) == 300
    assert n.spaced_runs() == [(0, 3), (5, 9)]
    assert normalize("s n a p et").spaced_runs() == [(0, 3)]
