"""Server-side messages in French and English.

Each refusal has a stable code; the message shown to a person is looked
up here in their language and formatted with named fields. The PWA keeps
its own catalogue for its screens and can translate codes itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from backend.lib.reasons import explain_reason

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "invalid_input": {
        "en": "The request is not valid: {reason}",
        "fr": "La requête n'est pas valide : {reason}",
    },
    "unauthenticated": {
        "en": "Please sign in.",
        "fr": "Veuillez vous connecter.",
    },
    "bad_credentials": {
        "en": "E-mail or password is wrong.",
        "fr": "E-mail ou mot de passe incorrect.",
    },
    "too_many_attempts": {
        "en": "Too many wrong attempts; try again in {retry_after} seconds.",
        "fr": "Trop d'essais erronés ; réessayez dans {retry_after} secondes.",
    },
    "forbidden": {
        "en": "You are not allowed to do this.",
        "fr": "Vous n'avez pas le droit de faire cela.",
    },
    "not_found": {
        "en": "This record does not exist or is not visible to you.",
        "fr": "Cet enregistrement n'existe pas ou ne vous est pas visible.",
    },
    "too_large": {
        "en": "The request is too large: {reason}",
        "fr": "La requête est trop grande : {reason}",
    },
    "upgrade_required": {
        "en": "This version of the app is too old; it is updating.",
        "fr": "Cette version de l'application est trop ancienne ; mise à jour en cours.",
    },
    "seq_gap": {
        "en": "Changes are missing before number {expected}.",
        "fr": "Des modifications manquent avant le numéro {expected}.",
    },
    "unknown_mutator": {
        "en": "This kind of change is not known to the server.",
        "fr": "Ce type de modification n'est pas connu du serveur.",
    },
    "week_locked": {
        "en": "The week of {week} was approved by {by} on {on}; your change was not applied. "
        "Ask them to reopen the week.",
        "fr": "La semaine du {week} a été approuvée par {by} le {on} ; votre modification "
        "n'a pas été appliquée. Demandez-lui de rouvrir la semaine.",
    },
    "duplicate_mutation_id": {
        "en": "This change was already received under another number.",
        "fr": "Cette modification a déjà été reçue sous un autre numéro.",
    },
    "too_many_waiting_photos": {
        "en": "This device already has {limit} changes waiting for their photos; "
        "send the photos first.",
        "fr": "Cet appareil a déjà {limit} modifications en attente de leurs photos ; "
        "envoyez d'abord les photos.",
    },
    "seq_reused": {
        "en": "Another change was already received as number {seq} of this device; "
        "this one was not applied. Make it again.",
        "fr": "Une autre modification a déjà été reçue sous le numéro {seq} de cet appareil ; "
        "celle-ci n'a pas été appliquée. Refaites-la.",
    },
    "device_of_another_user": {
        "en": "This device is registered to another person; sign in again.",
        "fr": "Cet appareil est enregistré pour une autre personne ; reconnectez-vous.",
    },
    "email_taken": {
        "en": "An account already uses this e-mail.",
        "fr": "Un compte utilise déjà cet e-mail.",
    },
    "person_not_found": {
        "en": "Nobody is known as {who}.",
        "fr": "Personne n'est connu sous le nom {who}.",
    },
    "internal_error": {
        "en": "The server failed on this request; it has been logged.",
        "fr": "Le serveur a échoué sur cette requête ; l'incident est journalisé.",
    },
    "method_not_allowed": {
        "en": "This method is not allowed here.",
        "fr": "Cette méthode n'est pas permise ici.",
    },
    "unsupported_media_type": {
        "en": "Send JSON (Content-Type: application/json).",
        "fr": "Envoyez du JSON (Content-Type: application/json).",
    },
    "unsupported_encoding": {
        "en": "Send the body as it is or compressed with gzip (Content-Encoding: gzip).",
        "fr": "Envoyez le corps tel quel ou compressé en gzip (Content-Encoding: gzip).",
    },
    "http_error": {
        "en": "The request could not be served.",
        "fr": "La requête n'a pas pu être servie.",
    },
    "service_order_locked": {
        "en": "Service order {number} is {status}; this change was not applied.",
        "fr": "L'intervention {number} est {status} ; cette modification n'a pas été appliquée.",
    },
    "checklist_locked": {
        "en": "The checklist was signed; this answer was not applied.",
        "fr": "La checklist a été signée ; cette réponse n'a pas été appliquée.",
    },
    "delete_vs_update": {
        "en": "This record was deleted; your change was kept for review.",
        "fr": "Cet enregistrement a été supprimé ; votre modification est gardée pour revue.",
    },
    "changed_before_delete": {
        "en": "Someone changed this record after you last saw it; it was not deleted. "
        "Your deletion was kept for review.",
        "fr": "Quelqu'un a modifié cet enregistrement depuis que vous l'avez vu ; il n'a pas "
        "été supprimé. Votre suppression est gardée pour revue.",
    },
    "parent_deleted": {
        "en": "The record this belongs to was deleted; your change was kept for review.",
        "fr": "L'enregistrement parent a été supprimé ; votre modification est gardée pour revue.",
    },
    "concurrent_update": {
        "en": "Someone changed the same value at about the same time; both were kept.",
        "fr": "Quelqu'un a modifié la même valeur au même moment ; les deux sont gardées.",
    },
    "out_of_scope": {
        "en": "This is no longer assigned to you; your change was kept for review.",
        "fr": "Ceci ne vous est plus attribué ; votre modification est gardée pour revue.",
    },
    "duplicate_id": {
        "en": "A different record already has this id; your version was kept for review.",
        "fr": "Un autre enregistrement a déjà cet identifiant ; votre version est gardée.",
    },
    "date_too_early": {
        "en": "Time cannot be entered for {date}: the earliest day allowed is {earliest}.",
        "fr": (
            "Impossible de saisir du temps pour le {date}\u00a0: "
            "le premier jour permis est le {earliest}."
        ),
    },
    "date_out_of_range": {
        "en": "Time cannot be entered for {date}: the latest day allowed is {latest}.",
        "fr": (
            "Impossible de saisir du temps pour le {date}\u00a0: "
            "le dernier jour permis est le {latest}."
        ),
    },
    "day_over_24h": {
        "en": "More than 24 hours on {date}.",
        "fr": "Plus de 24 heures le {date}.",
    },
    "unknown_item": {
        "en": "This checklist has no item {item_key}.",
        "fr": "Cette checklist n'a pas d'élément {item_key}.",
    },
    "value_out_of_bounds": {
        "en": "{value} is outside {min} to {max}.",
        "fr": "{value} est en dehors de {min} à {max}.",
    },
    "bad_value": {
        "en": "This answer does not fit the item: {reason}",
        "fr": "Cette réponse ne convient pas à l'élément : {reason}",
    },
    "serial_required": {
        "en": "A part to {action} is named by its serial number.",
        "fr": "Une pièce se désigne par son numéro de série.",
    },
    "part_unnamed": {
        "en": "Name the part used: a product or a label.",
        "fr": "Nommez la pièce utilisée\u00a0: un produit ou un libellé.",
    },
    "no_equipment": {
        "en": "Service order {number} names no equipment to fit parts into.",
        "fr": "L'intervention {number} ne désigne aucun équipement où monter des pièces.",
    },
    "part_not_fitted": {
        "en": "Part {serial_number} is not fitted in this equipment.",
        "fr": "La pièce {serial_number} n'est pas montée dans cet équipement.",
    },
    "part_holds_machine": {
        "en": "Part {serial_number} is this equipment or holds it: it cannot go inside it.",
        "fr": (
            "La pièce {serial_number} est cet équipement ou le contient\u00a0: montage impossible."
        ),
    },
    "ambiguous_serial": {
        "en": "Several products have serial number {serial_number}: choose the product.",
        "fr": (
            "Plusieurs produits ont le numéro de série {serial_number}\u00a0: "
            "choisissez le produit."
        ),
    },
    "unknown_product": {
        "en": "This product is not in the catalogue.",
        "fr": "Ce produit n'est pas au catalogue.",
    },
    "serial_taken": {
        "en": "Serial number {serial_number} is already recorded for this product.",
        "fr": "Le numéro de série {serial_number} est déjà enregistré pour ce produit.",
    },
    "file_not_uploaded": {
        "en": "The file has not been uploaded yet.",
        "fr": "Le fichier n'a pas encore été envoyé.",
    },
    "template_exists": {
        "en": "A checklist with this code exists already: write its next revision.",
        "fr": "Une checklist porte déjà ce code\u00a0: écrivez sa révision suivante.",
    },
    "template_changed": {
        "en": "Someone wrote a revision of this checklist meanwhile: read it and try again.",
        "fr": (
            "Quelqu'un a écrit une révision de cette checklist entre-temps\u00a0: "
            "relisez-la et réessayez."
        ),
    },
    "not_a_repair": {
        "en": "This service order is a visit, not a repair.",
        "fr": "Cette intervention est une visite, pas une réparation.",
    },
    "not_ready": {
        "en": "The repair is at {current}: it is handed back once ready.",
        "fr": "La réparation en est à l'étape {current}\u00a0: elle se rend une fois prête.",
    },
    "repair_moves_by_steps": {
        "en": "A repair moves by its steps; only the office closes or cancels it.",
        "fr": "Une réparation avance par étapes\u00a0; seul le bureau la clôt ou l'annule.",
    },
    "equipment_or_affair_needed": {
        "en": "Name the equipment received, or the affair it comes under.",
        "fr": "Indiquez l'équipement reçu, ou l'affaire dont il relève.",
    },
    "equipment_not_in_affair": {
        "en": "This equipment belongs to another affair.",
        "fr": "Cet équipement appartient à une autre affaire.",
    },
    "checklist_incomplete": {
        "en": "The checklist holds this step back: {missing}.",
        "fr": "La liste de contrôle retient cette étape\u00a0: {missing}.",
    },
    "received_too_long_ago": {
        "en": "A product is recorded as received on {earliest} at the earliest.",
        "fr": "Un produit s'enregistre comme reçu le {earliest} au plus tôt.",
    },
    "bad_transition": {
        "en": "A service order cannot go from {current} to {target}.",
        "fr": "Une intervention ne peut pas passer de {current} à {target}.",
    },
    "week_not_submitted": {
        "en": "The week of {week} is not submitted.",
        "fr": "La semaine du {week} n'est pas soumise.",
    },
    "week_not_decided": {
        "en": "Week {week} is not approved or rejected yet: there is nothing to reopen.",
        "fr": "La semaine {week} n'est encore ni validée ni refusée : rien à rouvrir.",
    },
    "changed_since_approved": {
        "en": "Week {week} has lines changed since they were approved: look at each again.",
        "fr": (
            "La semaine {week} a des lignes modifiées depuis leur validation\u00a0: "
            "revoyez chacune."
        ),
    },
    "own_week": {
        "en": "Nobody approves their own time.",
        "fr": "Personne n'approuve ses propres heures.",
    },
    "affair_closed": {
        "en": "This affair is closed to new time.",
        "fr": "Cette affaire n'accepte plus de temps.",
    },
    "conflict_resolved": {
        "en": "This conflict was already resolved.",
        "fr": "Ce conflit a déjà été résolu.",
    },
    "cannot_replay": {
        "en": "This change cannot be sent again; keep the server's value.",
        "fr": "Cette modification ne peut pas être renvoyée ; gardez la valeur du serveur.",
    },
    "missing_blob": {
        "en": "The photo has not reached the server yet; the change waits for it.",
        "fr": "La photo n'est pas encore arrivée au serveur ; la modification l'attend.",
    },
    "hash_mismatch": {
        "en": "The bytes sent do not match their name (SHA-256); nothing was kept.",
        "fr": "Les octets envoyés ne correspondent pas à leur nom (SHA-256) ; rien n'est gardé.",
    },
    "unsupported_blob_type": {
        "en": "Send a photo as {expected}.",
        "fr": "Envoyez une photo au format {expected}.",
    },
    "unavailable": {
        "en": "The server is busy; try again shortly.",
        "fr": "Le serveur est occupé ; réessayez dans un instant.",
    },
    "planning_no_skilled_person": {
        "en": "Nobody has every skill this action needs ({skills}).",
        "fr": "Personne n'a toutes les compétences que demande cette action ({skills}).",
    },
    "planning_no_capacity": {
        "en": "Not enough working time before the end of {due}: {needed_minutes} minutes "
        "needed, at most {most_free_minutes} free for one of the {qualified_people} "
        "qualified people.",
        "fr": "Pas assez de temps de travail avant la fin du {due}\u00a0: {needed_minutes} minutes "
        "nécessaires, au plus {most_free_minutes} de libres pour l'une des "
        "{qualified_people} personnes qualifiées.",
    },
    "planning_due_before_earliest": {
        "en": "The action is due on {due}, before it may start on {earliest}.",
        "fr": "L'action est due le {due}, avant le {earliest} où elle peut commencer.",
    },
    "planning_action_gone": {
        "en": "The action was deleted since the proposal was made.",
        "fr": "L'action a été supprimée depuis la proposition.",
    },
    "planning_slot_taken": {
        "en": "The person was booked over this time since the proposal was made; ask again.",
        "fr": "La personne a été réservée sur ce créneau depuis la proposition\u00a0; "
        "redemandez une proposition.",
    },
    "planning_person_away": {
        "en": "The person is no longer working then (an absence, a holiday or new "
        "working hours since the proposal was made); ask again.",
        "fr": "La personne ne travaille plus à ce moment-là (absence, jour férié ou "
        "nouveaux horaires depuis la proposition)\u00a0; redemandez une proposition.",
    },
    "planning_not_met": {
        "en": "This action has no slot in the proposal.",
        "fr": "Cette action n'a pas de créneau dans la proposition.",
    },
    # Maintenance contracts.
    "contract_closed": {
        "en": "Contract {number} is closed; it no longer changes.",
        "fr": "Le contrat {number} est clos\u00a0; il ne change plus.",
    },
    "contract_not_draft": {
        "en": "Contract {number} is already running or closed.",
        "fr": "Le contrat {number} est déjà en cours ou clos.",
    },
    "contract_incomplete": {
        "en": "The contract needs a start day and a visit frequency before it runs.",
        "fr": "Le contrat doit avoir une date de début et une fréquence de visite pour démarrer.",
    },
    "equipment_of_another_customer": {
        "en": "This equipment belongs to another customer than the contract's.",
        "fr": "Cet équipement appartient à un autre client que celui du contrat.",
    },
    "not_a_technician": {
        "en": "Visits are given to technicians and supervisors who are still active.",
        "fr": "Les visites sont confiées aux techniciens et chefs d'équipe encore actifs.",
    },
    "visit_not_planned": {
        "en": "This visit is already {status}; it stays with its technician.",
        "fr": "Cette visite est déjà {status}\u00a0; elle reste à son technicien.",
    },
    "affair_of_another_customer": {
        "en": "This affair is another customer's.",
        "fr": "Cette affaire est celle d'un autre client.",
    },
    "voucher_order_closed": {
        "en": "This service order is {status}: a voucher no longer pays for it.",
        "fr": "Cette intervention est {status}\u00a0: un bon ne la paie plus.",
    },
    "voucher_of_another_customer": {
        "en": "This voucher was issued to another customer.",
        "fr": "Ce bon a été émis pour un autre client.",
    },
    "voucher_unknown": {
        "en": "No voucher has this code.",
        "fr": "Aucun bon n'a ce code.",
    },
    "voucher_over_limit": {
        "en": "The voucher has only {balance_cents} left; the redemption was refused.",
        "fr": "Il ne reste que {balance_cents} sur ce bon\u00a0; l'encaissement est refusé.",
    },
    "voucher_expired": {
        "en": "The voucher expired on {valid_until}; the redemption was refused.",
        "fr": "Le bon a expiré le {valid_until}\u00a0; l'encaissement est refusé.",
    },
    "voucher_not_yet_valid": {
        "en": "The voucher is valid from {issued_on}; the redemption was refused.",
        "fr": "Le bon est valable à partir du {issued_on}\u00a0; l'encaissement est refusé.",
    },
    "voucher_cancelled": {
        "en": "The voucher was cancelled; the redemption was refused.",
        "fr": "Le bon a été annulé\u00a0; l'encaissement est refusé.",
    },
    "not_a_voucher_product": {
        "en": "This product is not a voucher.",
        "fr": "Ce produit n'est pas un bon d'achat.",
    },
}

# The fields of a message that name a status; others (a name) are shown
# as written, even when they read like a status.
STATUS_FIELDS = ("status", "current", "target")
# Fields holding a day (ISO 8601), and an ISO week ("2026-W48"), said as
# a person says them: "23 November 2026"; a week by its Monday.
DAY_FIELDS = ("on", "date", "latest", "due", "earliest", "issued_on", "valid_until")
# Fields holding a list of item keys, said as one line.
LIST_FIELDS = ("missing",)
# Fields holding an amount in cents, said in euros.
MONEY_FIELDS = ("balance_cents", "amount_cents")
WEEK_FIELDS = ("week",)
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
STATUS_WORDS: dict[str, dict[str, str]] = {
    "approved": {"en": "approved", "fr": "approuvée"},
    "submitted": {"en": "submitted", "fr": "soumise"},
    "closed": {"en": "closed", "fr": "clôturée"},
    "cancelled": {"en": "cancelled", "fr": "annulée"},
    "planned": {"en": "planned", "fr": "planifiée"},
    "in_progress": {"en": "in progress", "fr": "en cours"},
    "done": {"en": "done", "fr": "terminée"},
    "draft": {"en": "draft", "fr": "brouillon"},
    "rejected": {"en": "rejected", "fr": "refusée"},
    # A repair's steps.
    "intake": {"en": "intake", "fr": "réception"},
    "diagnosis": {"en": "diagnosis", "fr": "diagnostic"},
    "repair": {"en": "repair", "fr": "réparation"},
    "quality_check": {"en": "quality check", "fr": "contrôle qualité"},
    "ready": {"en": "ready", "fr": "prêt"},
    "returned": {"en": "returned", "fr": "rendu"},
}


def pick_language(accept_language: str | None, preferred: str | None = None) -> str:
    """The user's own setting first, then the browser's first known language."""
    if preferred in LANGUAGES:
        return preferred
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


def translate(code: str, language: str, fields: Mapping[str, object] | None = None) -> str:
    """The message for ``code`` in ``language``; the code itself when unknown.

    Statuses, days, weeks and reasons among ``fields`` are said in the
    language; the fields themselves (the details of the answer) stay as
    they are, for programs to read.
    """
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    template = entry.get(language) or entry[DEFAULT_LANGUAGE]
    given = dict(fields or {})
    values = {key: _said(key, value, language, given) for key, value in given.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def _said(key: str, value: object, language: str, fields: Mapping[str, object]) -> object:
    """One field of a message as a person reads it in ``language``."""
    if key in MONEY_FIELDS and isinstance(value, int):
        return say_euros(value, language)
    if key in LIST_FIELDS and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if not isinstance(value, str):
        return value
    if key in STATUS_FIELDS and value in STATUS_WORDS:
        return STATUS_WORDS[value][language]
    if key in DAY_FIELDS:
        return _day(value, language)
    if key in WEEK_FIELDS:
        return _week(value, language)
    if key == "reason":
        # Litestar names the whole body "data": no field to point at then.
        field = fields.get("field")
        at = field if isinstance(field, str) and field != "data" else None
        return explain_reason(value, language, at)
    return value


def say_euros(cents: int, language: str) -> str:
    """ "€12.50", "12,50\u00a0€"."""
    amount = f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else f"-{-cents / 100:.2f}"
    return f"{amount.replace('.', ',')}\u00a0€" if language == "fr" else f"€{amount}"


def say_day(day: dt.date, language: str) -> str:
    """ "23 November 2026", "1er décembre 2026"."""
    month = MONTHS[language][day.month - 1]
    number = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{number} {month} {day.year}"


def _day(value: str, language: str) -> str:
    try:
        return say_day(dt.date.fromisoformat(value), language)
    except ValueError:
        return value


def _week(value: str, language: str) -> str:
    """An ISO week ("2026-W48") by its Monday: "23 November 2026"."""
    year, _, number = value.partition("-W")
    try:
        return say_day(dt.date.fromisocalendar(int(year), int(number), 1), language)
    except ValueError:
        return value
