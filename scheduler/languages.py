"""The six official UN languages: the ones the event interprets, and speakers and participants choose."""

from __future__ import annotations

# Codes (ISO 639-1) in the UN's own order, each with its name in its own language.
LANGUAGES: dict[str, str] = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}


def translatable(text: str) -> str:
    """Marks an interface text defined here in scheduler/ (no Flask) for the web app's catalogue:
    `pybabel extract` finds it by this name (Makefile, babel.cfg); the web app translates it where
    it shows it (`_(label)`)."""
    return text
