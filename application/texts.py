"""What the bot says, in French and English."""

from __future__ import annotations

from application.ports import TaskStatus

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "greeting": "Bonjour {name} 👋 Que voulez-vous faire ?",
        "menu.sites": "Mes chantiers",
        "menu.help": "Aide",
        "help": (
            "Je vous aide à suivre vos chantiers :\n"
            "• « mes chantiers » pour la liste de vos chantiers\n"
            "• choisissez un chantier (bouton, numéro ou nom) pour voir ses tâches\n"
            "• choisissez une tâche pour la marquer « en cours », « terminée » ou « bloquée »\n"
            "• « problème : … » pour signaler un problème sur le chantier choisi\n"
            "• « menu » pour revenir au début, « recommencer » pour repartir de zéro"
        ),
        "sites": "Vos chantiers ({count}) : lequel ?",
        "sites_truncated": "Vos chantiers ({count}, les {shown} premiers) : lequel ?",
        "no_sites": "Vous n'avez aucun chantier en cours pour le moment.",
        "choose_site_first": "Sur quel chantier ? Vos chantiers ({count}) :",
        "tasks": "{site} — vos tâches ({count}) :",
        "no_tasks": "{site} : aucune tâche ne vous est attribuée sur ce chantier.",
        "choose_task_first": "Quelle tâche ? {site} — vos tâches ({count}) :",
        "task": "{title}\nChantier : {site}\nStatut : {status}\nÉchéance : {due}{notes}",
        "no_due_date": "non fixée",
        "status_changed": "C'est noté ✅ « {title} » : {status}.",
        "status_unchanged": "« {title} » était déjà : {status}.",
        "status_changed_since": (
            "Le statut de « {title} » a changé depuis : il est maintenant {current}. Le passer à {status} ?"
        ),
        "yes": "Oui",
        "which_one": "Lequel ?",
        "confirm_status": "Marquer « {title} » comme {status} ?",
        "confirm_problem": "Signaler ce problème sur {site} : « {description} » ?",
        "confirm_declined": "D'accord, je ne change rien.",
        "confirm_expired": "Cette question a expiré : je n'ai rien changé. Que voulez-vous faire ?",
        "ask_status": "Où en est « {title} » ? (statut actuel : {status})",
        "small_talk.thanks": "Avec plaisir 👍",
        "small_talk.bye": "Bonne journée ! 👋",
        "small_talk.bye_evening": "Bonne soirée ! 👋",
        "small_talk.ack": "👍",
        "nothing_reported": "D'accord, je ne signale rien.",
        "overdue": "Tâches en retard ({count}) :",
        "none_overdue": "Aucune tâche en retard 👍",
        "due_this_week": "À faire cette semaine ({count}) :",
        "none_due_this_week": "Rien d'autre à rendre cette semaine.",
        "where_expected": "Là où on vous attend en premier ({count}) :",
        "none_expected": "Aucune tâche prévue dans les deux semaines.",
        "not_understood_tasks": "Je n'ai pas compris. Voici vos tâches sur {site} :",
        "no": "Non",
        "choice_unavailable": (
            "Ce choix n'est plus disponible : ce chantier ou cette tâche ne fait pas (ou plus) "
            "partie des vôtres. Que voulez-vous faire ?"
        ),
        "ask_problem": "Décrivez le problème sur {site} en un message.",
        "problem_reported": (
            "Merci, problème n° {report} signalé sur {site}. Le conducteur de travaux est prévenu."
        ),
        "not_understood": "Je n'ai pas compris. Que voulez-vous faire ?",
        "unsupported": (
            "Je ne peux pas lire ce type de message. Envoyez du texte, une photo ou un message vocal, "
            "ou écrivez « menu » pour commencer."
        ),
        "not_registered": (
            "Bonjour, ce numéro n'est pas enregistré chez nous. "
            "Demandez à votre conducteur de travaux de vous inscrire."
        ),
        "site_tasks": "Tâches du chantier",
        "report_problem": "Signaler problème",
        "status.todo": "À faire",
        "status.in_progress": "En cours",
        "status.done": "Terminé",
        "status.blocked": "Bloqué",
        "mark.done": "Terminé ✅",
        "mark.in_progress": "En cours",
    },
    "en": {
        "greeting": "Hello {name} 👋 What would you like to do?",
        "menu.sites": "My sites",
        "menu.help": "Help",
        "help": (
            "I help you keep track of your sites:\n"
            '• "my sites" lists your sites\n'
            "• pick a site (button, number or name) to see its tasks\n"
            '• pick a task to mark it "in progress", "done" or "blocked"\n'
            '• "problem: …" reports a problem on the chosen site\n'
            '• "menu" goes back to the start, "reset" starts afresh'
        ),
        "sites": "Your sites ({count}): which one?",
        "sites_truncated": "Your sites ({count}, first {shown}): which one?",
        "no_sites": "You have no active site at the moment.",
        "choose_site_first": "Which site? Your sites ({count}):",
        "tasks": "{site} — your tasks ({count}):",
        "no_tasks": "{site}: no task is assigned to you on this site.",
        "choose_task_first": "Which task? {site} — your tasks ({count}):",
        "task": "{title}\nSite: {site}\nStatus: {status}\nDue: {due}{notes}",
        "no_due_date": "not set",
        "status_changed": 'Noted ✅ "{title}": {status}.',
        "status_unchanged": '"{title}" was already: {status}.',
        "status_changed_since": (
            'The status of "{title}" has changed since: it is now {current}. Set it to {status}?'
        ),
        "yes": "Yes",
        "which_one": "Which one?",
        "confirm_status": 'Mark "{title}" as {status}?',
        "confirm_problem": 'Report this problem on {site}: "{description}"?',
        "confirm_declined": "OK, I have not changed anything.",
        "confirm_expired": "That question has expired: nothing was changed. What would you like to do?",
        "ask_status": 'Where is "{title}" at? (status now: {status})',
        "small_talk.thanks": "You're welcome 👍",
        "small_talk.bye": "Have a good day! 👋",
        "small_talk.bye_evening": "Have a good evening! 👋",
        "small_talk.ack": "👍",
        "nothing_reported": "OK, nothing reported.",
        "overdue": "Overdue tasks ({count}):",
        "none_overdue": "Nothing overdue 👍",
        "due_this_week": "Due this week ({count}):",
        "none_due_this_week": "Nothing else due this week.",
        "where_expected": "Where you are expected first ({count}):",
        "none_expected": "No task due in the next two weeks.",
        "not_understood_tasks": "Sorry, I did not understand. Your tasks on {site}:",
        "no": "No",
        "choice_unavailable": (
            "That choice is no longer available: this site or task is not (or no longer) one of yours. "
            "What would you like to do?"
        ),
        "ask_problem": "Describe the problem on {site} in one message.",
        "problem_reported": (
            "Thank you, problem #{report} reported on {site}. The site manager has been told."
        ),
        "not_understood": "Sorry, I did not understand. What would you like to do?",
        "unsupported": (
            'I cannot read this kind of message. Send text, a photo or a voice note, or type "menu" to start.'
        ),
        "not_registered": (
            "Hello, this number is not registered with us. Please ask your site manager to register you."
        ),
        "site_tasks": "Site tasks",
        "report_problem": "Report a problem",
        "status.todo": "To do",
        "status.in_progress": "In progress",
        "status.done": "Done",
        "status.blocked": "Blocked",
        "mark.done": "Done ✅",
        "mark.in_progress": "In progress",
    },
}

SUPPORTED_LANGUAGES = frozenset(_TEXTS)


def say(language: str, key: str, **values: object) -> str:
    """The text for `key` in the subcontractor's language (French when unknown)."""
    texts = _TEXTS.get(language, _TEXTS["fr"])
    return texts[key].format(**values)


def status_label(language: str, status: TaskStatus) -> str:
    return say(language, f"status.{status}")
