"""Realistic, varied, never-repeating text for the benchmarks.

A word-level generator: each language variety has its own everyday vocabulary
(function words drawn often, content words less), sentences are built from it,
people switch language inside a sentence the way Tunisian chats and pages do,
and a few things real text has are mixed in at realistic rates: typos and
stretched letters (so a warm cache still meets new words), emoji, prices,
times, invented handles and links, and rule-triggering phrases (about one
message in fifty; all written for this file, tactics only, nothing explicit).

    >>> gen = TextGen(seed=1)
    >>> len(gen.message()) > 0, len(gen.page(5_000)) >= 5_000
    (True, True)

Varieties: fr (French), en (English), ar (Modern Standard Arabic), aeb-Arab
(Tunisian in Arabic script), aeb-Latn (Tunisian Arabizi), and "mixed".
"""

from __future__ import annotations

import random

VOCAB = {
    "fr": {
        "function": "je tu il elle on nous vous ils le la les un une des de du et mais ou donc car pour avec "
                    "sans dans sur sous chez à au aux ce cette ces mon ma mes ton ta tes son sa ses pas ne que qui "
                    "quoi est sont a ai as ont fait va vais très trop bien plus moins aussi encore déjà".split(),
        "content": "bonjour salut merci demain aujourd'hui soir matin semaine weekend école collège lycée prof "
                   "devoir examen maths français anglais histoire cours classe copain copine famille maman papa "
                   "frère sœur cousin voisin quartier marché boulangerie pain café thé match foot équipe entraînement "
                   "jeu vidéo console téléphone chargeur photo vacances plage mer soleil pluie froid chaud voiture "
                   "bus taxi gare train maison chambre cuisine dîner déjeuner repas couscous anniversaire fête cadeau "
                   "gâteau musique chanson film série épisode livre bibliothèque sport piscine vélo parc jardin chat "
                   "chien ville centre magasin vêtements chaussures prix promo vente solde livraison commande "
                   "rendez-vous heure minute retard attendre venir partir rentrer manger dormir travailler réviser "
                   "apprendre comprendre oublier appeler écrire lire regarder acheter vendre payer chercher trouver "
                   "penser savoir vouloir pouvoir aimer adorer détester fatigué content triste malade super génial "
                   "nul drôle sérieux facile difficile important nouveau ancien petit grand beau belle".split(),
    },
    "en": {
        "function": "i you he she we they it the a an of and but or so for with without in on at to from my "
                    "your his her our their this that these is are was were be been have has do does did not "
                    "can will would should just very too really also still already".split(),
        "content": "hello hey thanks tomorrow today tonight morning week weekend school class teacher homework "
                   "exam maths english history lesson friend family mum dad brother sister cousin neighbour "
                   "market bakery bread coffee tea match football team training game video console phone charger "
                   "picture holiday beach sea sun rain cold hot car bus taxi station train house room kitchen "
                   "dinner lunch meal birthday party present cake music song movie series episode book library "
                   "sport pool bike park garden cat dog town centre shop clothes shoes price sale delivery order "
                   "appointment hour minute late wait come leave go eat sleep work revise learn understand forget "
                   "call write read watch buy sell pay look find think know want love hate tired happy sad sick "
                   "great cool boring funny serious easy hard important new old small big nice".split(),
    },
    "ar": {
        "function": "في من على إلى عن مع هذا هذه ذلك تلك الذي التي هو هي نحن أنتم هم أن لا لم لن قد كان كانت "
                    "يكون ثم أو بل لكن كل بعض عند بعد قبل حتى".split(),
        "content": "مرحبا شكرا غدا اليوم مساء صباح أسبوع عطلة مدرسة معهد أستاذ واجب امتحان رياضيات تاريخ درس "
                   "صديق عائلة أم أب أخ أخت جار حي سوق خبز قهوة شاي مباراة كرة فريق تدريب لعبة هاتف صورة "
                   "بحر شمس مطر برد حر سيارة حافلة قطار بيت غرفة مطبخ عشاء غداء عيد هدية حلوى موسيقى أغنية "
                   "فيلم كتاب مكتبة رياضة حديقة مدينة متجر ملابس ثمن تخفيض توصيل موعد ساعة دقيقة انتظار "
                   "ذهاب رجوع أكل نوم عمل مراجعة تعلم فهم كتابة قراءة مشاهدة شراء بيع جميل كبير صغير جديد "
                   "قديم سهل صعب مهم سعيد حزين متعب".split(),
    },
    "aeb-Arab": {
        "function": "انا انتي انت هو هي احنا انتوما هوما في من على مع متاع اللي و ولا اما كان باش ما مش "
                    "برشا شوية توا غدوة البارح زادة كيف علاش وقتاش وين".split(),
        "content": "عسلامة يعيشك باهي بالهي صحيت مريقل ماشي جاي نحب نعرف نقرا نخدم نشري نبيع نروح نجي "
                   "نستنى نطيب نلعب نتفرج الماتش الكورة الفريق القراية الامتحان الدرس الاستاذ المعهد "
                   "الحومة الجيران السوق الخبز القهوة الشاي الكسكسي الماكلة الدار البيت الكوجينة الكرهبة "
                   "اللواج التاكسي الترينو البحر الشمس الشتا السخانة العيد الكادو الحلو الموسيقى الفيلم "
                   "التلفون الشارجور التصويرة الخدمة الفلوس الحوايج الصباط البوتيك الحانوت الملاوي "
                   "المقروض الزيتون الهريسة".split(),
    },
    "aeb-Latn": {
        "function": "ena enti enta howa hiya a7na entouma houma fi men 3la m3a mta3 elli w wela ama kan bech "
                    "ma mouch barcha chwaya tawa ghodwa lbera7 zeda kifech 3lech waktech win".split(),
        "content": "3aslema ya3ychek behi bahi sa7it mriguel mechi jey n7eb na3ref na9ra nekhdem nechri "
                   "nbi3 nemchi nji nestanna ntayeb nal3eb netfarrej match koura l'equipe 9raya examen dars "
                   "prof lycee 7ouma jiran souk khobz 9ahwa te kosksi makla dar bit kojina karhba louage "
                   "taxi train b7ar chams chta s5ana 3id cadeau 7lou musique film telefoun chargeur tsawer "
                   "khedma flous 7wayej sabbat boutique 7anout malawi makroudh zitoun harissa sahbi sa7bti "
                   "khouya okhti mama baba 3ammi khalti yezzi brabi inchallah hamdoullah mabrouk".split(),
    },
}

# Cues a rule list looks for, at a realistic rate and mostly alone (a cue is
# ordinary; a warning needs several together). Written for this file only.
TRIGGERS = {
    "fr": ["t'as quel âge", "ajoute-moi sur snap", "envoie une photo", "on parle en privé", "ne dis rien à tes parents",
           "groupe privé", "c'est notre secret", "je t'offre une recharge"],
    "en": ["how old are you", "add me on snap", "send me a pic", "let's talk in private", "don't tell your parents",
           "private group", "our little secret", "free robux"],
    "ar": ["كم عمرك", "أضفني على سناب", "أرسل لي صورة", "لا تخبر والديك", "مجموعة سرية", "في الخاص"],
    "aeb-Arab": ["قداش عمرك", "زيدني على سناب", "ابعثلي تصويرة", "ما تقول لحد", "قروب سري", "في الخاص"],
    "aeb-Latn": ["9adech 3omrek", "zidni 3al snap", "ab3athli tsawer", "ma t9oul l 7ad", "groupe sirri", "f lprivé",
                 "nab3athlek flexy"],
}
EXTRAS = ["😂", "😍", "🙏", "❤️", "👍🏽", "🔥", "😅", "🍰", "⚽", "🎁", "☕️", "🤣", "😭", "👌", "🌞", "💯"]
HANDLES = ["@ami_{n}", "insta: lina.{n}", "snap {n}sam", "wa.me/216{n}000", "t.me/club{n}", "https://social.example/p/{n}",
           "www.boutique{n}.tn", "98 000 {n}"]
PLACES = ["Tunis", "Sfax", "Sousse", "Ariana", "Bizerte", "Nabeul", "Monastir", "Ennasr", "La Marsa", "Ben Arous",
          "تونس", "صفاقس", "سوسة", "المنستير"]
MIX = {"fr": "aeb-Latn", "aeb-Latn": "fr", "ar": "aeb-Arab", "aeb-Arab": "ar", "en": "fr"}
VARIETIES = ("fr", "en", "ar", "aeb-Arab", "aeb-Latn")


class TextGen:
    """Sentences, messages, pages and conversations; a seed gives the same text,
    two seeds never give the same text."""

    def __init__(self, seed: int = 0, trigger_rate: float = 0.02, typo_rate: float = 0.05):
        self.rng = random.Random(seed)
        self.trigger_rate = trigger_rate
        self.typo_rate = typo_rate
        self.serial = 0

    def _word(self, lang: str) -> str:
        rng, v = self.rng, VOCAB[lang]
        word = rng.choice(v["function"] if rng.random() < 0.45 else v["content"])
        if rng.random() < self.typo_rate:
            word = self._typo(word)
        return word

    def _typo(self, word: str) -> str:
        rng = self.rng
        i = rng.randrange(len(word))
        how = rng.random()
        if how < 0.35:  # a stretched letter: `siiiii`
            return word[:i] + word[i] * rng.randint(2, 6) + word[i:]
        if how < 0.6 and len(word) > 3:  # a dropped letter
            return word[:i] + word[i + 1:]
        if how < 0.8 and len(word) > 3:  # two letters swapped
            j = min(i + 1, len(word) - 1)
            return word[:i] + word[j] + word[i] + word[j + 1:]
        return word.capitalize() if rng.random() < 0.5 else word.upper()

    def _extra(self) -> str:
        rng = self.rng
        self.serial += 1
        pick = rng.random()
        if pick < 0.45:
            return rng.choice(EXTRAS)
        if pick < 0.6:
            return f"{rng.randint(5, 300)}{rng.choice(['dt', ' dinars', 'DT', '€', ' دينار'])}"
        if pick < 0.75:
            return f"{rng.randint(7, 22)}h{rng.choice(['', '30', '00'])}"
        if pick < 0.88:
            return rng.choice(PLACES)
        return rng.choice(HANDLES).format(n=100 + self.serial % 900)

    def sentence(self, lang: str | None = None, words: tuple[int, int] = (4, 16)) -> str:
        rng = self.rng
        lang = lang or rng.choice(VARIETIES)
        other = MIX[lang]
        out = []
        for _ in range(rng.randint(*words)):
            out.append(self._word(other if rng.random() < 0.15 else lang))
            if rng.random() < 0.04:
                out.append(self._extra())
        if rng.random() < self.trigger_rate * 3:  # a sentence of a page or a message: a cue, rarely
            out.insert(rng.randrange(len(out) + 1), rng.choice(TRIGGERS[lang]))
        end = rng.choice([".", ".", "!", "?", "", " ...", " ؟" if "Arab" in lang or lang == "ar" else " ?"])
        return " ".join(out) + end

    def message(self, lang: str | None = None) -> str:
        """A chat message: one or two short sentences."""
        rng = self.rng
        lang = lang or rng.choice(VARIETIES)
        n = 1 if rng.random() < 0.75 else 2
        return " ".join(self.sentence(lang, (2, 14)) for _ in range(n))

    def page(self, size: int) -> str:
        """About `size` characters of posts and comments in every variety, one
        paragraph a post, as a social network page reads."""
        rng, parts, total = self.rng, [], 0
        while total < size:
            lang = rng.choice(VARIETIES)
            post = " ".join(self.sentence(lang, (6, 28)) for _ in range(rng.randint(1, 4)))
            parts.append(post)
            total += len(post) + 1
        return "\n".join(parts)

    def conversation(self, n: int = 200) -> list[str]:
        """A chat between two people who each mostly keep their own variety."""
        rng = self.rng
        a, b = rng.sample(VARIETIES, 2)
        return [self.message(a if rng.random() < 0.5 else b) for _ in range(n)]
