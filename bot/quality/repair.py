"""The follow-up message that sends a failed answer back to the model, in the same conversation."""

from __future__ import annotations

from bot.config.quality import QualitySettings
from bot.quality.result import Failure, GateResult

# What to do about each rule, beyond the measured value and the target.
_HINTS = {
    "language": "réécrivez tout en français (titre, champs SEO, chaque paragraphe)",
    "min_words": "développez avec les seules informations de la source, sans rien inventer",
    "h2": "découpez le corps avec des intertitres <h2>",
    "section_length": "ajoutez des intertitres <h2> ou <h3> pour couper les sections longues",
    "h1": "remplacez chaque <h1> par un <h2>",
    "html": "n'utilisez que des balises simples : <p>, <h2>, <h3>, <ul>, <li>, <strong>, <em>, <a>",
    "markdown": "écrivez le corps en HTML, sans aucune syntaxe Markdown",
    "links": "retirez tout lien qui ne mène pas à la source",
    "headline_new": "écrivez un titre neuf, en français, avec d'autres mots que la source",
    "keyphrase_density": "ajustez le nombre d'occurrences de l'expression clé dans le corps",
}


def repair_request(result: GateResult, settings: QualitySettings) -> str:
    """The targeted follow-up user message: every failure with its measured value and target,
    the unsupported facts by name, and the demand for the corrected JSON object."""
    from bot.writer.draft import DRAFT_KEYS  # at call time: bot.writer imports bot.quality

    lines = ["Votre réponse ne passe pas le contrôle qualité. Corrigez chacun de ces points :", ""]
    for number, failure in enumerate(result.failures, start=1):
        lines.append(f"{number}. [{failure.rule}] {failure.message}{_measure(failure)}")
        if failure.rule == "unsupported_facts":
            lines.append("   Ces éléments ne figurent pas dans la source : retirez-les ou "
                         "reprenez exactement ce que dit la source, sans rien inventer :")
        elif failure.rule in _HINTS:
            lines.append(f"   → {_HINTS[failure.rule]}.")
        lines.extend(f"   - {item}" for item in failure.items)
    keys = ", ".join(DRAFT_KEYS)
    lines += [
        "",
        "Gardez tout ce qui était correct. Rappel des cibles : corps d'au moins "
        f"{settings.min_words} mots, titre SEO de {settings.seo_title_max_chars} caractères "
        f"au plus, méta description de {settings.meta_min_chars} à {settings.meta_max_chars} "
        "caractères.",
        "Répondez uniquement par l'objet JSON corrigé, sans texte autour, avec exactement les "
        f"mêmes clés : {keys}.",
    ]
    return "\n".join(lines)


def _measure(failure: Failure) -> str:
    if failure.measured is None or failure.target is None:
        return ""
    return f" (mesuré : {failure.measured} ; cible : {failure.target})"
