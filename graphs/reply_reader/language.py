"""The language a lead writes in, by a maintained detector (lingua), among the five the
agent reads: English, German, French, Spanish and Portuguese."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

# ISO 639-1 codes of the languages replies are read in.
READ_LANGUAGES = ("en", "de", "fr", "es", "pt")
# What a writer is told to write in.
LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
}


@cache
def _detector() -> LanguageDetector:
    # Built on first use: importing the reader must stay cheap.
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in READ_LANGUAGES
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when there are no letters to go by."""
    if not any(ch.isalpha() for ch in text):
        return None
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None
