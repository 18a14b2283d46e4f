"""Why a rule list was refused or is out of date, in French, Arabic and English.

Status (CLI and ``/api/v1/status``) reports an error as a stable code, a
technical detail in English, and one of these sentences for the person
reading it::

    >>> message("expired")["en"]
    'The new list has passed its expiry date. The current list stays active.'
    >>> message("lint_failed", keeps_current=False)["fr"]
    'La liste a des erreurs de relecture (lint).'
"""

from __future__ import annotations

_KEEP = {
    "fr": "La liste actuelle reste active.",
    "ar": "تبقى القائمة الحالية مفعّلة.",
    "en": "The current list stays active.",
}

_MESSAGES = {
    "no_source": {
        "fr": "Aucune adresse de mise à jour n'est configurée.",
        "ar": "لم يتم ضبط أي عنوان للتحديث.",
        "en": "No update address is configured.",
    },
    "bad_source": {
        "fr": "L'adresse de mise à jour n'est ni un lien http(s) ni un dossier.",
        "ar": "عنوان التحديث ليس رابط http(s) ولا مجلدًا.",
        "en": "The update address is neither an http(s) link nor a folder.",
    },
    "fetch_failed": {
        "fr": "Le téléchargement de la nouvelle liste a échoué.",
        "ar": "فشل تنزيل القائمة الجديدة.",
        "en": "Downloading the new list failed.",
    },
    "not_found": {
        "fr": "La nouvelle liste est introuvable à l'adresse configurée.",
        "ar": "لم يتم العثور على القائمة الجديدة في العنوان المضبوط.",
        "en": "The new list was not found at the configured address.",
    },
    "oversized": {
        "fr": "Un fichier de la nouvelle liste est plus gros que prévu.",
        "ar": "أحد ملفات القائمة الجديدة أكبر من المتوقع.",
        "en": "A file of the new list is larger than expected.",
    },
    "truncated": {
        "fr": "Un fichier de la nouvelle liste est incomplet.",
        "ar": "أحد ملفات القائمة الجديدة غير مكتمل.",
        "en": "A file of the new list is incomplete.",
    },
    "bad_manifest": {
        "fr": "La description de la nouvelle liste est illisible ou invalide.",
        "ar": "وصف القائمة الجديدة غير مقروء أو غير صالح.",
        "en": "The description of the new list is unreadable or invalid.",
    },
    "unsigned": {
        "fr": "La nouvelle liste n'est pas signée.",
        "ar": "القائمة الجديدة غير موقّعة.",
        "en": "The new list is not signed.",
    },
    "bad_signature": {
        "fr": "La signature de la nouvelle liste est fausse : elle a peut-être été modifiée.",
        "ar": "توقيع القائمة الجديدة غير صحيح: ربما تم تعديلها.",
        "en": "The new list's signature is wrong: it may have been altered.",
    },
    "unknown_key": {
        "fr": "La nouvelle liste est signée par une clé inconnue.",
        "ar": "القائمة الجديدة موقّعة بمفتاح غير معروف.",
        "en": "The new list is signed by an unknown key.",
    },
    "too_few_signatures": {
        "fr": "La nouvelle liste n'a pas assez de signatures de l'équipe.",
        "ar": "القائمة الجديدة لا تحمل ما يكفي من توقيعات الفريق.",
        "en": "The new list does not carry enough staff signatures.",
    },
    "wrong_list": {
        "fr": "La liste reçue n'est pas celle que cet ordinateur suit.",
        "ar": "القائمة المستلمة ليست القائمة التي يتبعها هذا الحاسوب.",
        "en": "The list received is not the one this computer follows.",
    },
    "rollback": {
        "fr": "La liste reçue est plus ancienne que la liste actuelle.",
        "ar": "القائمة المستلمة أقدم من القائمة الحالية.",
        "en": "The list received is older than the current one.",
    },
    "not_newer": {
        "fr": "La liste reçue n'est pas plus récente que la liste actuelle.",
        "ar": "القائمة المستلمة ليست أحدث من القائمة الحالية.",
        "en": "The list received is not newer than the current one.",
    },
    "expired": {
        "fr": "La nouvelle liste a dépassé sa date d'expiration.",
        "ar": "انتهت صلاحية القائمة الجديدة.",
        "en": "The new list has passed its expiry date.",
    },
    "client_too_old": {
        "fr": "La nouvelle liste demande une version plus récente de Himaya.",
        "ar": "القائمة الجديدة تتطلب نسخة أحدث من حماية.",
        "en": "The new list needs a newer version of Himaya.",
    },
    "hash_mismatch": {
        "fr": "Un fichier de la nouvelle liste ne correspond pas à son empreinte : il a été modifié ou abîmé.",
        "ar": "أحد ملفات القائمة الجديدة لا يطابق بصمته: تم تعديله أو تلف.",
        "en": "A file of the new list does not match its fingerprint: it was altered or damaged.",
    },
    "invalid_rules": {
        "fr": "La nouvelle liste contient une règle invalide.",
        "ar": "القائمة الجديدة تحتوي على قاعدة غير صالحة.",
        "en": "The new list contains an invalid rule.",
    },
    "rule_tests_failed": {
        "fr": "Une règle de la nouvelle liste échoue à ses propres tests.",
        "ar": "إحدى قواعد القائمة الجديدة تفشل في اختباراتها.",
        "en": "A rule of the new list fails its own tests.",
    },
    "model_tests_failed": {
        "fr": "Le modèle de la nouvelle liste ne redonne pas ses propres résultats : il est abîmé ou incompatible.",
        "ar": "نموذج القائمة الجديدة لا يعيد نتائجه المسجّلة: إنه تالف أو غير متوافق.",
        "en": "The new list's model does not reproduce its own recorded scores: it is damaged or incompatible.",
    },
    "lint_failed": {
        "fr": "La liste a des erreurs de relecture (lint).",
        "ar": "في القائمة أخطاء مراجعة (lint).",
        "en": "The list has lint errors.",
    },
    "local_corrupt": {
        "fr": "La copie locale de la liste est abîmée.",
        "ar": "النسخة المحلية من القائمة تالفة.",
        "en": "The local copy of the list is damaged.",
    },
    "bad_keys": {
        "fr": "Le fichier des clés de confiance est illisible : aucune mise à jour ne peut être vérifiée.",
        "ar": "ملف المفاتيح الموثوقة غير مقروء: لا يمكن التحقق من أي تحديث.",
        "en": "The trusted keys file is unreadable: no update can be verified.",
    },
    "internal": {
        "fr": "Erreur inattendue pendant la mise à jour.",
        "ar": "خطأ غير متوقع أثناء التحديث.",
        "en": "Unexpected error during the update.",
    },
}

STALE = {
    "fr": "La liste de signatures a expiré : elle fonctionne encore, mais elle n'est plus à jour.",
    "ar": "انتهت صلاحية قائمة التوقيعات: ما زالت تعمل لكنها لم تعد محدّثة.",
    "en": "The signature list has expired: it still works, but it is out of date.",
}

CODES = frozenset(_MESSAGES)


def message(code: str, keeps_current: bool = True) -> dict:
    """The sentence for an error code in fr / ar / en.

    On a computer (keeps_current) it adds that the current list stays active;
    on the staff side (build, sign, publish) there is no current list to speak of.
    """
    base = _MESSAGES.get(code, _MESSAGES["internal"])
    if not keeps_current:
        return dict(base)
    return {lang: f"{text} {_KEEP[lang]}" for lang, text in base.items()}
