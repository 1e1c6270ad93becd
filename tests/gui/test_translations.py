"""Languages: the French catalogue compiles with Qt's lrelease, the shipped .qm is current, and
loading it changes the visible texts; the language comes from the option, the environment, the
setting or the system locale."""

from __future__ import annotations

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _compiler():
    spec = importlib.util.spec_from_file_location("compile_translations",
                                                  os.path.join(ROOT, "packaging", "compile_translations.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogues_compile_and_the_shipped_files_are_current(tmp_path):
    compiler = _compiler()
    if compiler.find_lrelease() is None:
        pytest.skip("no lrelease")
    written = compiler.compile_all(str(tmp_path), quiet=True)
    assert [os.path.basename(path) for path in written] == ["ipclab_en.qm", "ipclab_fr.qm"]
    for path in written:
        shipped = os.path.join(ROOT, "resources", "translations", os.path.basename(path))
        assert open(path, "rb").read() == open(shipped, "rb").read(), \
            f"{shipped} is older than its .ts: run packaging/compile_translations.py"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_text_has_a_translation(language):
    """French: every text; English: the plural forms of every `%n` text."""
    import xml.etree.ElementTree as ElementTree

    tree = ElementTree.parse(os.path.join(ROOT, "resources", "translations", f"ipclab_{language}.ts"))
    untranslated = []
    for message in tree.iter("message"):
        translation = message.find("translation")
        forms = [form.text or "" for form in translation.iter("numerusform")] or [translation.text or ""]
        if translation.get("type") in ("unfinished", "obsolete") or not all(form.strip() for form in forms):
            untranslated.append(message.findtext("source"))
        if message.get("numerus") == "yes":
            assert len(forms) == 2 and all("%Ln" in form or "%n" in form for form in forms), message.findtext("source")
    assert untranslated == []


def test_every_plural_text_is_in_the_english_catalogue():
    """A `%n` text missing from ipclab_en.ts would read "1 request(s) served" in English."""
    import re
    import xml.etree.ElementTree as ElementTree

    english = {message.findtext("source") for message in ElementTree.parse(
        os.path.join(ROOT, "resources", "translations", "ipclab_en.ts")).iter("message")}
    used = set()
    for directory, _, names in os.walk(os.path.join(ROOT, "qtapp")):
        for name in names:
            if name.endswith(".py"):
                text = open(os.path.join(directory, name), encoding="utf-8").read()
                used |= set(re.findall(r"(?:\btr|translate)\((?:\"\w+\", )?\s*\"([^\"]*%L?n\b[^\"]*)\"", text))
    assert used and used <= english, sorted(used - english)


def test_french_loads_and_changes_visible_texts(qtbot, make_window):
    from qtapp.window import i18n

    assert i18n.install_translator("fr")
    try:
        window = make_window()
        window.client_panel.set_transport("fifo")
        menus = [action.text() for action in window.menuBar().actions()]
        assert menus[0] == "&Fichier" and "Ai&de" in menus
        tabs = [window.tabs.tabText(index) for index in range(window.tabs.count())]
        assert "Vue d’ensemble" in tabs and "Pas à pas" in tabs and "Pannes" in tabs
        assert window.primary_button.text() == "▶  Lancer un échange FIFO"
        assert window.server_panels["tcp"].title() == "Serveur TCP"
        assert window.server_panels["tcp"].start_button.text() == "Démarrer"
        assert window.client_panel.start_button.text() == "Lancer la charge"
        assert "Processus de l’interface" in window.architecture_view.labels["gui"]
        assert window.wire_view.send_button.text() == "Envoyer une requête et montrer ses octets"
    finally:
        i18n.remove_translators()
    english = make_window()
    english.client_panel.set_transport("fifo")
    assert english.primary_button.text() == "▶  Run a FIFO exchange"


def test_language_choice(monkeypatch):
    from qtapp.window.i18n import resolve_language

    monkeypatch.delenv("IPCLAB_LANGUAGE", raising=False)
    assert resolve_language("fr") == "fr" and resolve_language("fr_CA") == "fr"
    assert resolve_language(None, setting="fr") == "fr"
    monkeypatch.setenv("IPCLAB_LANGUAGE", "fr")
    assert resolve_language(None, setting="en") == "fr"
    assert resolve_language("en") == "en"
    monkeypatch.setenv("IPCLAB_LANGUAGE", "de")  # unsupported: the next source decides
    assert resolve_language(None, setting="en") == "en"
