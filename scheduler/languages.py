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
