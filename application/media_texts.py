"""What the bot says about photos, voice notes, locations and the other kinds, in French and English."""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "this.image": "cette photo",
        "this.video": "cette vidéo",
        "this.document": "ce document",
        "your.image": "votre photo",
        "your.video": "votre vidéo",
        "your.document": "votre document",
        "your.audio": "votre message audio",
        "your.voice": "votre message vocal",
        "your.sticker": "votre autocollant",
        "confirm_photo_problem": "Signaler un problème sur {site} avec {this} ?",
        "photo_which_site": "Bien reçu 📷 Sur quel chantier est ce problème ?",
        "photo_no_site": "Bien reçu 📷 Vous n'avez aucun chantier en cours : je ne peux pas le signaler.",
        "photo_only": "(photo sans description)",
        "voice_type_it": (
            "Je ne peux pas écouter les messages vocaux pour l'instant 🙏 "
            "Pouvez-vous l'écrire en quelques mots ?"
        ),
        "voice_not_heard": (
            "Je n'ai pas réussi à écouter votre message vocal 🙏 Pouvez-vous l'écrire en quelques mots ?"
        ),
        "media_too_large": (
            "{your} dépasse la taille permise ({size} pour {limit} au plus) : rien n'en a été gardé. "
            "Envoyez une photo, ou décrivez le problème par écrit."
        ),
        "media_type_refused": (
            "Je ne peux pas garder ce type de fichier ({type}). Envoyez une photo, une vidéo ou un PDF."
        ),
        "media_not_fetched": "Je n'ai pas pu récupérer {your}. Pouvez-vous l'envoyer à nouveau ?",
        "location_near": "📍 Vous êtes à {site}.",
        "location_far": "Merci pour votre position 📍 Aucun de vos chantiers n'est à moins de {km} km.",
        "location_thanks": "Merci pour votre position 📍",
        "contacts": (
            "Merci, mais je ne peux rien faire d'une fiche contact. Pour signaler un problème, envoyez une "
            "photo ou écrivez « problème : … »."
        ),
        "order": "Je ne prends pas de commandes. Que voulez-vous faire ?",
        "edited": (
            "Vous avez modifié un message, mais je ne lis que les nouveaux : si c'est important, "
            "renvoyez-le. Vous aviez écrit : « {text} »"
        ),
    },
    "en": {
        "this.image": "this photo",
        "this.video": "this video",
        "this.document": "this document",
        "your.image": "your photo",
        "your.video": "your video",
        "your.document": "your document",
        "your.audio": "your audio message",
        "your.voice": "your voice message",
        "your.sticker": "your sticker",
        "confirm_photo_problem": "Report a problem on {site} with {this}?",
        "photo_which_site": "Got it 📷 Which site is this problem on?",
        "photo_no_site": "Got it 📷 You have no active site, so I cannot file it on any.",
        "photo_only": "(photo, no description)",
        "voice_type_it": "I cannot listen to voice messages yet 🙏 Could you type it in a few words?",
        "voice_not_heard": "I could not listen to your voice message 🙏 Could you type it in a few words?",
        "media_too_large": (
            "{your} is over the size allowed ({size}, at most {limit}): nothing of it was kept. "
            "Send a photo, or describe the problem in writing."
        ),
        "media_type_refused": "I cannot keep this kind of file ({type}). Send a photo, a video or a PDF.",
        "media_not_fetched": "I could not get {your}. Could you send it again?",
        "location_near": "📍 You are at {site}.",
        "location_far": "Thanks for your location 📍 None of your sites is within {km} km.",
        "location_thanks": "Thanks for your location 📍",
        "contacts": (
            "Thanks, but I cannot do anything with a contact card. To report a problem, send a photo or "
            'type "problem: …".'
        ),
        "order": "I do not take orders. What would you like to do?",
        "edited": (
            "You edited a message, but I only read new ones: if it matters, send it again. "
            'You had written: "{text}"'
        ),
    },
}


def say(language: str, key: str, **values: object) -> str:
    texts = _TEXTS.get(language, _TEXTS["fr"])
    return texts[key].format(**values)


def size_in_words(language: str, size: int) -> str:
    megabytes = size / (1024 * 1024)
    unit = "Mo" if language == "fr" else "MB"
    figure = f"{megabytes:.0f}" if megabytes >= 10 else f"{megabytes:.1f}"
    return f"{figure.replace('.', ',') if language == 'fr' else figure} {unit}"
