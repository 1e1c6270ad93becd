"""Choosing Français switches every text on screen at once, without restart: a walk over every
visible text of every tab finds no English left; numbers follow the French locale and plurals
use Qt's %n forms; choosing English brings everything back."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QTableWidget

from tests.gui.helpers import wait_listening

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALLOWED = {"FIFO", "TCP", "Compare", "Latency CDF", "Client", "Transport", "Range", "Unix", "Architecture", "Seed",
           "Stop", "Restart", "Command:", "Duration", "Servers", "Overview", "Textbook design", "Faults"}


def _pattern(text: str) -> re.Pattern | None:
    pieces = re.split(r"\{[^}]*\}|%L?n", text.replace("{{", "{").replace("}}", "}"))
    if sum(len(piece.strip()) for piece in pieces) < 6:
        return None
    return re.compile(".*?".join(re.escape(piece) for piece in pieces) + "$")


def _english_texts() -> tuple[set[str], list[tuple[re.Pattern, list[re.Pattern]]]]:
    """English source texts whose French translation differs: plain ones, and patterns for texts
    with {fields} (with the French patterns of the same text, which a French line may also match)."""
    plain, patterns = set(), []
    tree = ElementTree.parse(os.path.join(ROOT, "resources", "translations", "ipclab_fr.ts"))
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        forms = [form.text or "" for form in translation.iter("numerusform")] or [translation.text or ""]
        if source in forms or len(source) < 4:
            continue
        if "{" in source or "%" in source:
            english = _pattern(source)
            if english is not None:
                patterns.append((english, [french for form in forms if (french := _pattern(form)) is not None]))
        else:
            plain.add(source.replace("&", ""))
    return plain, patterns


def _visible_texts(window) -> list[str]:
    texts = [window.windowTitle()]
    texts += [window.tabs.tabText(index) for index in range(window.tabs.count())]
    for menu_action in window.menuBar().actions():
        texts.append(menu_action.text().replace("&", ""))
        if menu_action.menu() is not None:
            texts += [action.text().replace("&", "") for action in menu_action.menu().actions() if action.text()]
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton) + window.findChildren(
            QGroupBox) + window.findChildren(QLineEdit) + window.findChildren(QComboBox) + window.findChildren(
            QTableWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(re.sub(r"<[^>]+>", "", widget.text()).replace("&", ""))
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        else:
            texts += [widget.horizontalHeaderItem(column).text() for column in range(widget.columnCount())
                      if widget.horizontalHeaderItem(column) is not None]
    for card in window.plot_cards():
        if card.isVisible():
            texts.append(card.title.text())
    return [text.strip() for text in texts if text and text.strip()]




def _leftovers(window) -> list[str]:
    plain, patterns = _english_texts()
    found = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        for text in _visible_texts(window):
            for line in text.splitlines():
                line = line.strip()
                if line in ALLOWED:
                    continue
                if line in plain or any(english.match(line) and not any(french.match(line) for french in frenchs)
                                        for english, frenchs in patterns):
                    found.append(f"{window.tabs.tabText(index)}: {line}")
    return sorted(set(found))


@pytest.fixture
def french_then_english(window):
    yield window
    window.choose_language("en")
    window.settings.set_language("")


def test_choosing_french_switches_everything_at_once(qtbot, french_then_english):
    window = french_then_english
    wait_listening(qtbot, window, "tcp")
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("tcp")
    window.server_panels["tcp"].refresh_details()
    assert len(_leftovers(window)) > 20, "the walk must see the English texts before the switch"
    window.choose_language("fr")  # no restart, no dialog
    QApplication.processEvents()
    left = _leftovers(window)
    assert left == [], "English left after choosing Français:\n" + "\n".join(left)
    assert window.tabs.tabText(0) == "Vue d’ensemble"
    assert window.client_panel.start_button.text() == "Lancer la charge"
    assert [action.text() for action in window.menuBar().actions()][0] == "&Fichier"

    window.choose_language("en")
    QApplication.processEvents()
    assert window.tabs.tabText(0) == "Overview" and window.client_panel.start_button.text() == "Start workload"
    assert [action.text() for action in window.menuBar().actions()][0] == "&File"


def test_numbers_and_plurals_follow_the_language(qtbot, french_then_english):
    window = french_then_english
    wait_listening(qtbot, window, "unix")
    panel = window.client_panel
    panel.requests_spin.setValue(200_000)
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("unix")
    qtbot.waitUntil(lambda: window.servers["unix"].requests_served == 1, timeout=5000)
    window.choose_language("fr")
    QApplication.processEvents()
    normal = lambda text: text.replace("\u202f", " ").replace("\xa0", " ")  # noqa: E731 - French spaces
    assert normal(panel.requests_spin.text()) == "200 000"
    window.server_panels["unix"].refresh_details()
    assert window.server_panels["unix"].details_label.text().endswith("1 requête servie")
    from qtapp.measuring.plots.style import format_microseconds

    assert format_microseconds(1.5) == "1,50 µs" and format_microseconds(1_500) == "1,50 ms"
    window.choose_language("en")
    QApplication.processEvents()
    assert panel.requests_spin.text() == "200,000"
    assert window.server_panels["unix"].details_label.text().endswith("1 request served")
