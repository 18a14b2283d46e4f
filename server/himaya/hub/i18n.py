"""The staff app's words in French, Arabic (right to left) and English.

    >>> text("fr", "queue")
    'File de traitement'
    >>> direction("ar")
    'rtl'
"""

from __future__ import annotations

LANGS = ("fr", "ar", "en")
DEFAULT = "fr"

T = {
    "app": ("Himaya — plateforme de l'association", "حماية — منصة الجمعية", "Himaya — NGO hub"),
    "login": ("Connexion", "تسجيل الدخول", "Log in"),
    "logout": ("Déconnexion", "تسجيل الخروج", "Log out"),
    "name": ("Nom", "الاسم", "Name"),
    "password": ("Mot de passe", "كلمة المرور", "Password"),
    "totp": ("Code à usage unique (application d'authentification)", "الرمز المؤقت (تطبيق المصادقة)",
             "One-time code (authenticator app)"),
    "bad_credentials": ("Nom ou mot de passe incorrect.", "الاسم أو كلمة المرور غير صحيحة.", "Wrong name or password."),
    "locked": ("Compte verrouillé après 5 essais manqués. Réessayez plus tard ou demandez à un administrateur.",
               "الحساب مقفل بعد 5 محاولات فاشلة. أعد المحاولة لاحقًا أو اطلب من المشرف.",
               "Account locked after 5 failed attempts. Try again later or ask an administrator."),
    "totp_required": ("Saisissez le code de votre application d'authentification.",
                      "أدخل الرمز من تطبيق المصادقة.", "Enter the code from your authenticator app."),
    "bad_totp": ("Code à usage unique incorrect.", "الرمز المؤقت غير صحيح.", "Wrong one-time code."),
    "queue": ("File de traitement", "قائمة المعالجة", "Triage queue"),
    "networks": ("Réseaux", "الشبكات", "Networks"),
    "admin": ("Administration", "الإدارة", "Administration"),
    "account": ("Mon compte", "حسابي", "My account"),
    "filter": ("Filtrer", "تصفية", "Filter"),
    "search": ("Recherche", "بحث", "Search"),
    "any": ("tous", "الكل", "any"),
    "status": ("Statut", "الحالة", "Status"),
    "category": ("Catégorie", "الفئة", "Category"),
    "severity": ("Gravité (au moins)", "الخطورة (على الأقل)", "Severity (at least)"),
    "severity_col": ("Gravité", "الخطورة", "Severity"),
    "site": ("Site", "الموقع", "Site"),
    "language": ("Langue", "اللغة", "Language"),
    "since": ("Reçu depuis le", "استُلم منذ", "Received from"),
    "until": ("jusqu'au", "إلى غاية", "until"),
    "assignee": ("Assigné à", "مسند إلى", "Assigned to"),
    "nobody": ("personne", "لا أحد", "nobody"),
    "me": ("moi", "أنا", "me"),
    "received": ("Reçu", "تاريخ الاستلام", "Received"),
    "page_addr": ("Page", "الصفحة", "Page"),
    "evidence": ("Preuve", "الدليل", "Evidence"),
    "evidence_ok": ("vérifiée", "تم التحقق", "verified"),
    "evidence_bad": ("à examiner", "تحتاج فحصًا", "needs a look"),
    "reports": ("signalements", "بلاغات", "reports"),
    "no_reports": ("Aucun signalement pour ces filtres.", "لا توجد بلاغات لهذه المعايير.", "No report for these filters."),
    "next": ("Suivant", "التالي", "Next"),
    "previous": ("Précédent", "السابق", "Previous"),
    "selected": ("Pour la sélection :", "للعناصر المحددة:", "For the selection:"),
    "apply": ("Appliquer", "تطبيق", "Apply"),
    "assign_me": ("M'assigner", "إسنادها إلي", "Assign to me"),
    "volunteer": ("bénévole", "متطوع", "volunteer"),
    "family": ("famille", "عائلة", "family"),
    "what_seen": ("Ce qui a été vu", "ما تمت مشاهدته", "What was seen"),
    "screenshot": ("Capture d'écran", "لقطة الشاشة", "Screenshot"),
    "rules": ("Règles reconnues", "القواعد المطابقة", "Matched rules"),
    "parent_text": ("Explication pour les parents", "الشرح للأولياء", "Explanation for parents"),
    "evidence_check": ("Vérification de la preuve", "التحقق من الدليل", "Evidence check"),
    "record_hash": ("Empreinte SHA-256 de l'enregistrement recalculée : identique.",
                    "أعيد حساب بصمة SHA-256 للسجل: مطابقة.", "SHA-256 of the record recomputed: identical."),
    "units_hash": ("{n} texte(s) saisi(s), chacun conforme à son empreinte.", "{n} نص ملتقط، كل منها مطابق لبصمته.",
                   "{n} captured text(s), each matching its hash."),
    "captures_hash": ("{n} capture(s) d'écran conforme(s) à leur empreinte.", "{n} لقطة شاشة مطابقة لبصمتها.",
                      "{n} screenshot(s) matching their hash."),
    "chain": ("Chaîne de preuves du compagnon", "سلسلة أدلة البرنامج المرافق", "The companion's evidence chain"),
    "chain_head": ("c'était le dernier enregistrement du compagnon à l'envoi",
                   "كان آخر سجل لدى البرنامج المرافق عند الإرسال", "it was the companion's latest record when sent"),
    "chain_later": ("un enregistrement plus récent existait à l'envoi (pas encore reçu)",
                    "كان هناك سجل أحدث عند الإرسال (لم يُستلم بعد)", "a later record existed when sent (not received yet)"),
    "chain_held": ("le témoin est le signalement n°{v}, reçu", "الشاهد هو البلاغ رقم {v}، تم استلامه",
                   "the witness is report #{v}, received"),
    "chain_links": ("suit le signalement n°{v}", "يلي البلاغ رقم {v}", "follows report #{v}"),
    "chain_linked": ("précède le signalement n°{v}", "يسبق البلاغ رقم {v}", "precedes report #{v}"),
    "chain_same": ("même rang que le signalement n°{v} (compagnon réinitialisé ?)",
                   "نفس الترتيب مثل البلاغ رقم {v} (برنامج أعيد ضبطه؟)", "same position as report #{v} (companion reset?)"),
    "problems": ("Incohérences", "تناقضات", "Inconsistencies"),
    "notes": ("Notes", "ملاحظات", "Notes"),
    "add_note": ("Ajouter la note", "إضافة ملاحظة", "Add note"),
    "change_status": ("Changer le statut", "تغيير الحالة", "Change status"),
    "reason": ("Motif", "السبب", "Reason"),
    "assign": ("Assigner", "إسناد", "Assign"),
    "export_case": ("Exporter le dossier (associations, 1809, police)", "تصدير الملف (خط النجدة 1809، الشرطة)",
                    "Export the case (hotline, police)"),
    "history": ("Historique (journal d'audit)", "السجل (سجل التدقيق)", "History (audit log)"),
    "delete_request": ("Supprimer sur demande", "حذف بناءً على طلب", "Delete on request"),
    "delete_reason": ("Motif de la suppression", "سبب الحذف", "Reason for deletion"),
    "deleted": ("Signalement supprimé.", "تم حذف البلاغ.", "Report deleted."),
    "saved": ("Enregistré.", "تم الحفظ.", "Saved."),
    "st_new": ("nouveau", "جديد", "new"),
    "st_in_review": ("en cours d'examen", "قيد المراجعة", "in review"),
    "st_confirmed": ("confirmé", "مؤكد", "confirmed"),
    "st_dismissed": ("écarté", "مرفوض", "dismissed"),
    "st_escalated": ("transmis", "محال", "escalated"),
    "r_false_alarm": ("fausse alerte", "إنذار خاطئ", "false alarm"),
    "r_not_enough": ("pas assez d'éléments", "عناصر غير كافية", "not enough"),
    "r_duplicate": ("doublon", "مكرر", "duplicate"),
    "sev_none": ("aucune", "لا شيء", "none"),
    "sev_low": ("faible", "منخفضة", "low"),
    "sev_medium": ("moyenne", "متوسطة", "medium"),
    "sev_high": ("élevée", "عالية", "high"),
    "sev_critical": ("critique", "حرجة", "critical"),
    "users": ("Équipe", "الفريق", "Staff"),
    "role": ("Rôle", "الدور", "Role"),
    "role_analyst": ("analyste", "محلل", "analyst"),
    "role_author": ("rédacteur de règles", "كاتب القواعد", "rule author"),
    "role_admin": ("administrateur", "مشرف", "administrator"),
    "add_user": ("Ajouter", "إضافة", "Add"),
    "unlock": ("Déverrouiller", "فتح القفل", "Unlock"),
    "locked_short": ("verrouillé", "مقفل", "locked"),
    "companions": ("Compagnons inscrits", "البرامج المرافقة المسجلة", "Enrolled companions"),
    "label": ("Étiquette", "التسمية", "Label"),
    "enrol": ("Créer un code d'inscription", "إنشاء رمز تسجيل", "Make an enrolment code"),
    "enrol_code": ("Code d'inscription (affiché une seule fois) : sur l'ordinateur du bénévole, "
                   "himaya config set intake-code {code}",
                   "رمز التسجيل (يُعرض مرة واحدة): على حاسوب المتطوع، himaya config set intake-code {code}",
                   "Enrolment code (shown once): on the volunteer's computer, himaya config set intake-code {code}"),
    "revoke": ("Révoquer", "إلغاء", "Revoke"),
    "revoked": ("révoqué", "ملغى", "revoked"),
    "last_seen": ("Dernier envoi", "آخر إرسال", "Last sent"),
    "retention": ("Conservation", "مدة الاحتفاظ", "Retention"),
    "retention_days": ("Les signalements écartés sont supprimés après (jours)", "تُحذف البلاغات المرفوضة بعد (أيام)",
                       "Dismissed reports are deleted after (days)"),
    "purge_now": ("Supprimer maintenant les signalements expirés", "احذف البلاغات المنتهية الآن",
                  "Delete expired reports now"),
    "purged": ("{n} signalement(s) supprimé(s).", "تم حذف {n} بلاغ.", "{n} report(s) deleted."),
    "audit": ("Journal d'audit", "سجل التدقيق", "Audit log"),
    "when": ("Quand", "متى", "When"),
    "who": ("Qui", "من", "Who"),
    "action": ("Action", "الإجراء", "Action"),
    "detail": ("Détail", "التفاصيل", "Detail"),
    "save": ("Enregistrer", "حفظ", "Save"),
    "change_password": ("Changer le mot de passe", "تغيير كلمة المرور", "Change password"),
    "new_password": ("Nouveau mot de passe (10 caractères au moins)", "كلمة مرور جديدة (10 أحرف على الأقل)",
                     "New password (at least 10 characters)"),
    "totp_setup": ("Authentification à deux facteurs (TOTP)", "المصادقة الثنائية (TOTP)", "Two-factor authentication (TOTP)"),
    "totp_secret": ("Secret à saisir dans l'application : {secret}", "السر الذي يُدخل في التطبيق: {secret}",
                    "Secret to type into the app: {secret}"),
    "totp_enable": ("Activer", "تفعيل", "Enable"),
    "totp_disable": ("Désactiver", "تعطيل", "Disable"),
    "totp_on": ("activée", "مفعّلة", "on"),
    "totp_off": ("désactivée", "غير مفعّلة", "off"),
    "forbidden": ("Accès refusé.", "الدخول مرفوض.", "Access denied."),
    "not_found": ("Introuvable.", "غير موجود.", "Not found."),
    "bad_request": ("Demande refusée.", "طلب مرفوض.", "Request refused."),
    "csrf": ("Formulaire expiré ou falsifié : rechargez la page.", "النموذج منتهي أو مزور: أعد تحميل الصفحة.",
             "Form expired or forged: reload the page."),
    "reason_required": ("Un rejet demande un motif.", "الرفض يتطلب سببًا.", "A dismissal needs a reason."),
    "bad_transition": ("Ce changement de statut n'est pas possible.", "لا يمكن تغيير الحالة بهذا الشكل.",
                       "That status change is not possible."),
    "privacy": ("Données d'enfants : chaque consultation est enregistrée.", "بيانات أطفال: كل اطلاع يُسجَّل.",
                "Children's data: every view is logged."),
    "units": ("textes", "نصوص", "texts"),
    "priority": ("Source", "المصدر", "Source"),
    "pages": ("Pages", "الصفحات", "Pages"),
    "indicators": ("Indices", "المؤشرات", "Indicators"),
    "draft_rule": ("Proposer une règle", "اقتراح قاعدة", "Draft a rule"),
    "merge": ("Fusionner", "دمج", "Merge"),
    "split": ("Séparer", "فصل", "Split"),
}


def text(lang: str, key: str, **values) -> str:
    entry = T.get(key)
    if entry is None:
        return key
    value = entry[LANGS.index(lang) if lang in LANGS else 0]
    return value.format(**values) if values else value


def direction(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


def pick(accept_language: str | None) -> str:
    """The first of fr/ar/en in an Accept-Language header, else French."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGS:
            return code
    return DEFAULT
