"""Every page is built for translation: gettext is available to every template, with named
placeholders escaped like any other value, and only complete languages are chosen."""

from __future__ import annotations

from flask import render_template_string

from webapp import create_app, i18n


def test_templates_translate_with_named_placeholders_and_escape_their_values(database_url: str) -> None:
    app = create_app({"TESTING": True, "LIVE_TICKER": False, "DATABASE_URL": database_url})
    with app.test_request_context("/"):
        html = render_template_string('{{ _("Delayed by %(who)s", who=who) }}', who="<b>")
    assert html == "Delayed by &lt;b&gt;"


def test_a_language_without_a_complete_catalogue_is_not_chosen() -> None:
    app = create_app({"TESTING": True, "LIVE_TICKER": False})
    incomplete = next(code for code in ("fr", "ar", "zh") if code not in i18n.OFFERED)
    with app.test_request_context("/", headers={"Accept-Language": f"{incomplete},en;q=0.5"}):
        assert i18n.select_locale() in i18n.OFFERED
