"""What each risk category means, for the person at the screen and for the adult.

A rule explains its own match; a warning that comes from the model (model.py)
or from stages adding up has no rule text of its own, so it says what its
category means. Two audiences, as in every rule: `child` speaks to the child
(calm, never shaming, informal "tu", what to do now), `parent` to the parent,
volunteer or staff member (formal "vous", what was seen, what to do next).
"""

from __future__ import annotations

# category: (title, what the child should do now, what the adult saw)
_TEXT = {
    "age-probe": (
        {"fr": "Questions sur ton âge ou sur qui est avec toi", "ar": "أسئلة عن عمرك أو عمّن معك",
         "en": "Questions about your age or who is with you"},
        {"fr": "Ne donne pas ton âge, ton école ni si tu es seul·e.",
         "ar": "لا تعطِ عمرك ولا مدرستك ولا إن كنت وحدك.",
         "en": "Don't share your age, your school or whether you are alone."},
        {"fr": "Quelqu'un cherche à savoir l'âge de l'enfant, sa classe ou s'il est seul : c'est souvent la première étape.",
         "ar": "شخص يحاول معرفة عمر الطفل أو قسمه أو إن كان وحده: غالبًا ما تكون هذه الخطوة الأولى.",
         "en": "Someone is trying to learn the child's age, school year or whether they are alone: often the first step."},
    ),
    "trust-flattery": (
        {"fr": "Compliments pour gagner ta confiance", "ar": "مجاملات لكسب ثقتك", "en": "Compliments to win your trust"},
        {"fr": "Les compliments d'un inconnu peuvent être un piège, même s'ils font plaisir.",
         "ar": "مجاملات شخص غريب قد تكون فخًا حتى لو أسعدتك.",
         "en": "Compliments from someone you don't know can be a trap, even when they feel nice."},
        {"fr": "Flatterie et lien « spécial » : une technique connue pour gagner la confiance d'un enfant.",
         "ar": "مجاملة وعلاقة «خاصة»: أسلوب معروف لكسب ثقة الطفل.",
         "en": "Flattery and a 'special bond': a known way to win a child's trust."},
    ),
    "secrecy-isolation": (
        {"fr": "On te demande de garder un secret", "ar": "يطلب منك أحد أن تحفظ سرًّا", "en": "Someone asks you to keep a secret"},
        {"fr": "Un adulte qui te demande de cacher quelque chose à tes parents, ce n'est pas normal.",
         "ar": "ليس من الطبيعي أن يطلب منك شخص بالغ إخفاء شيء عن والديك.",
         "en": "An adult asking you to hide something from your parents is not okay."},
        {"fr": "Demande de secret ou d'éloignement de la famille : un signe sérieux d'emprise.",
         "ar": "طلب كتمان أو إبعاد عن العائلة: علامة جدية على السيطرة.",
         "en": "A request for secrecy or distance from the family: a serious sign of control."},
    ),
    "move-to-private": (
        {"fr": "On veut te parler ailleurs, en privé", "ar": "يريد أحد أن يكلّمك في مكان آخر على انفراد",
         "en": "Someone wants to talk with you somewhere private"},
        {"fr": "Ne change pas d'application et ne donne pas ton compte ou ton numéro.",
         "ar": "لا تنتقل إلى تطبيق آخر ولا تعطِ حسابك أو رقمك.",
         "en": "Don't move to another app and don't give your account or number."},
        {"fr": "Quelqu'un pousse l'enfant vers une application moins surveillée (Snapchat, Telegram, WhatsApp…).",
         "ar": "شخص يدفع الطفل نحو تطبيق أقل مراقبة (سناب، تلغرام، واتساب…).",
         "en": "Someone is pushing the child towards a less watched app (Snapchat, Telegram, WhatsApp...)."},
    ),
    "image-request": (
        {"fr": "On te demande une photo ou la caméra", "ar": "يطلب منك أحد صورة أو الكاميرا",
         "en": "Someone asks for a photo or the camera"},
        {"fr": "N'envoie pas de photo et n'allume pas ta caméra.", "ar": "لا ترسل صورًا ولا تشغّل الكاميرا.",
         "en": "Don't send photos and don't turn on your camera."},
        {"fr": "Demande de photo ou de caméra à un enfant : une étape à risque élevé.",
         "ar": "طلب صورة أو كاميرا من طفل: خطوة عالية الخطورة.",
         "en": "A request for a photo or the camera from a child: a high-risk step."},
    ),
    "gifts-money": (
        {"fr": "Cadeaux ou argent proposés", "ar": "هدايا أو مال معروض", "en": "Gifts or money offered"},
        {"fr": "Un cadeau d'un inconnu demande souvent quelque chose en retour : refuse-le.",
         "ar": "هدية الغريب تطلب غالبًا شيئًا في المقابل: ارفضها.",
         "en": "A gift from a stranger often asks for something back: say no."},
        {"fr": "Recharge, argent ou cadeaux offerts à un enfant pour créer une dette ou obtenir quelque chose.",
         "ar": "شحن أو مال أو هدايا تُعرض على طفل لخلق دين أو للحصول على شيء.",
         "en": "Credit, money or gifts offered to a child to create a debt or get something in return."},
    ),
    "blackmail-threat": (
        {"fr": "Menaces ou chantage", "ar": "تهديد أو ابتزاز", "en": "Threats or blackmail"},
        {"fr": "Ce n'est pas ta faute. Ne paie pas, n'envoie rien, garde les messages et parles-en tout de suite.",
         "ar": "ليس ذنبك. لا تدفع ولا ترسل شيئًا، احتفظ بالرسائل وتكلّم فورًا.",
         "en": "It is not your fault. Don't pay, don't send anything, keep the messages and tell someone now."},
        {"fr": "Menace ou chantage envers l'enfant : agissez vite, conservez les preuves.",
         "ar": "تهديد أو ابتزاز للطفل: تصرّف بسرعة واحتفظ بالأدلة.",
         "en": "A threat or blackmail against the child: act quickly and keep the evidence."},
    ),
    "meeting-request": (
        {"fr": "On te propose de se voir", "ar": "يقترح عليك أحد أن تلتقيا", "en": "Someone wants to meet you"},
        {"fr": "Ne va pas à un rendez-vous avec quelqu'un rencontré en ligne sans un adulte de confiance.",
         "ar": "لا تذهب إلى موعد مع شخص تعرّفت عليه على الإنترنت دون شخص بالغ تثق به.",
         "en": "Don't go to meet someone from online without an adult you trust."},
        {"fr": "Proposition de rencontre hors ligne faite à un enfant.",
         "ar": "اقتراح لقاء خارج الإنترنت موجّه إلى طفل.",
         "en": "An offer to meet offline made to a child."},
    ),
    "services-ad": (
        {"fr": "Annonce suspecte de « services »", "ar": "إعلان «خدمات» مشبوه", "en": "Suspicious 'services' ad"},
        {"fr": "Ne réponds pas à cette annonce et ne contacte pas ce compte.",
         "ar": "لا تردّ على هذا الإعلان ولا تتصل بهذا الحساب.",
         "en": "Don't answer this ad and don't contact this account."},
        {"fr": "Annonce codée (lieu, horaires, profil, prix, intermédiaire) qui peut concerner l'exploitation de mineurs.",
         "ar": "إعلان مشفّر (مكان، أوقات، ملف، سعر، وسيط) قد يتعلق باستغلال قاصرين.",
         "en": "A coded ad (place, hours, profile, price, go-between) that may involve exploiting minors."},
    ),
    "closed-group-invite": (
        {"fr": "Invitation vers un groupe fermé", "ar": "دعوة إلى مجموعة مغلقة", "en": "Invitation to a closed group"},
        {"fr": "Ne rejoins pas ce groupe et n'ouvre pas ce lien.", "ar": "لا تنضم إلى هذه المجموعة ولا تفتح هذا الرابط.",
         "en": "Don't join this group and don't open this link."},
        {"fr": "Invitation vers un groupe privé ou fermé, souvent utilisé pour échapper à la modération.",
         "ar": "دعوة إلى مجموعة خاصة أو مغلقة، تُستعمل غالبًا للإفلات من الرقابة.",
         "en": "An invitation to a private or closed group, often used to escape moderation."},
    ),
    "recruitment": (
        {"fr": "Offre de « travail » suspecte", "ar": "عرض «عمل» مشبوه", "en": "Suspicious 'job' offer"},
        {"fr": "Un vrai travail ne se propose pas à des mineurs en privé : ne réponds pas.",
         "ar": "العمل الحقيقي لا يُعرض على القاصرين في الخاص: لا تردّ.",
         "en": "Real jobs are not offered to minors in private messages: don't answer."},
        {"fr": "Offre d'argent facile, de casting ou de travail visant des mineurs, avec un contact privé.",
         "ar": "عرض مال سهل أو كاستينغ أو عمل يستهدف قاصرين مع وسيلة اتصال خاصة.",
         "en": "An offer of easy money, castings or work aimed at minors, with a private contact."},
    ),
    "network-page": (
        {"fr": "Page liée à un réseau suspect", "ar": "صفحة مرتبطة بشبكة مشبوهة", "en": "Page linked to a suspicious network"},
        {"fr": "Quitte cette page et ne suis pas ses liens.", "ar": "غادر هذه الصفحة ولا تتبع روابطها.",
         "en": "Leave this page and don't follow its links."},
        {"fr": "Page qui renvoie vers d'autres pages, des codes de quartier ou des groupes fermés, comme les réseaux signalés.",
         "ar": "صفحة تحيل إلى صفحات أخرى أو رموز أحياء أو مجموعات مغلقة، مثل الشبكات المُبلّغ عنها.",
         "en": "A page pointing to other pages, neighbourhood codes or closed groups, like the networks reported."},
    ),
}

_CALM = {"fr": "Tu n'as rien fait de mal.", "ar": "لم تفعل أي خطأ.", "en": "You have done nothing wrong."}
_HELP = {"fr": "Parles-en à un adulte de confiance ; tu peux aussi appeler le 1809.",
         "ar": "تحدّث مع شخص بالغ تثق به، ويمكنك أيضًا الاتصال بالرقم 1809.",
         "en": "Tell an adult you trust; you can also call 1809."}
_NEXT = {"fr": "Parlez calmement avec votre enfant, sans reproche, ne supprimez rien et signalez si besoin "
               "(bouton Signaler, ligne 1809 ou l'association).",
         "ar": "تحدّث مع طفلك بهدوء ودون لوم، لا تحذف شيئًا، وبلّغ عند الحاجة (زر الإبلاغ، الرقم 1809 أو الجمعية).",
         "en": "Talk with your child calmly and without blame, delete nothing, and report if needed "
               "(Report button, the 1809 line or the NGO)."}
_BY_MODEL = {"fr": "Repéré par le modèle de langue de Himaya (pas par une règle) :",
             "ar": "رصده النموذج اللغوي لحماية (وليس قاعدة):",
             "en": "Recognised by Himaya's language model (not by a rule):"}


def title(category: str) -> dict[str, str]:
    return dict(_TEXT[category][0])


def explain(category: str, by_model: bool = False) -> dict[str, dict[str, str]]:
    """The category's child and parent texts in fr / ar / en."""
    _, child, parent = _TEXT[category]
    lead = _BY_MODEL if by_model else {lang: "" for lang in _CALM}
    return {
        "child": {lang: f"{_CALM[lang]} {child[lang]} {_HELP[lang]}" for lang in _CALM},
        "parent": {lang: f"{lead[lang]} {parent[lang]} {_NEXT[lang]}".strip() for lang in _CALM},
    }


CATEGORIES = tuple(_TEXT)
