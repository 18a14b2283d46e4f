"""A stranger's words quoted by a parent, a child or a prevention post (core/reported.py)
are not that stranger writing: the same words unquoted, quoted with nobody reporting them,
or a single quoted code word in an ad still warn."""

from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.reported import quoted_parts

RULES = Path(__file__).resolve().parent.parent / "rules"
LURE = "ab3athli taswira tawa w ma t9oul l 7ad"  # a picture and secrecy: warns alone


@pytest.fixture(scope="module")
def scanner():
    return Scanner.load(RULES, signals="rules")


@pytest.mark.parametrize("text, parts", [
    ("t'es où ? l'école est fermée", []),  # apostrophes, not quotes
    ("il a dit « viens seule ce soir » puis rien", [" viens seule ce soir "]),
    ('she said "keep it between us" lol', ["keep it between us"]),
    ("9alli 'ab3athli snapek' w ba3d blockitou", ["ab3athli snapek"]),
    ("'t'es seule ?' m'a écrit un inconnu", ["t'es seule ?"]),  # an apostrophe inside a quote
    ("weekend 'jdod' fel menu", []),  # one quoted word is a code, not a quote
    ("« pas fermé", []),
])
def test_quoted_parts(text, parts):
    assert [text[a:b] for a, b in quoted_parts(text)] == parts


@pytest.mark.parametrize("report", [
    "binti warratni message '{lure}', bloquinah w signalinah",
    "un inconnu a écrit à ma fille « {lure} », on a bloqué le compte",
    'if someone says "{lure}" to you, screenshot it and tell an adult',
    "جاها واحد يقلها '{lure}'، بلّغنا عليه",
    "chefet el post? fih '{lure}', partagiwh fel groupe mta3 el awlia",
    "des messages du genre « {lure} » circulent sur les réseaux",
])
def test_a_reported_lure_does_not_warn_where_the_lure_itself_does(scanner, report):
    assert scanner.scan(LURE).risk
    assert scanner.scan(f"'{LURE}'").risk  # a quote nobody reports is read as it is
    verdict = scanner.scan(report.format(lure=LURE))
    assert not verdict.risk and not verdict.matches


def test_a_quoted_code_word_in_an_ad_still_warns(scanner):
    ad = ("3roudh el weekend Lafayette w Ennasr ba3d el 9raya. 'jdod' fel menu 🎀 wa7da mazelet fel lycée, "
          "150 lel sa3a, el wasta 3al snap. elli y9oul kelma yetblokka")
    assert scanner.scan(ad, kind="post").risk


def test_a_profile_quoting_its_own_posts_is_read_as_it_is(scanner):
    profile = f"Coach Wassim (page perso)\nnab3ath tests lel mawhoubin\n« {LURE} »\n9alou 3liya coach behi"
    assert scanner.scan(profile, kind="profile").risk


def test_a_quoted_name_is_not_reported_speech(scanner):
    """A group or a page named between quotes ("groupe « ... »") is the writer's own post."""
    post = ("groupe « Ados Menzah 12-14 » 🔒 que pour les moins de 15, le lien change chaque semaine, "
            "l'admin a dit de le demander en privé et de ne le partager avec personne")
    assert scanner.scan(post, kind="post").risk
