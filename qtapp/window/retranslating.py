"""Switching the language while the window is open: Qt sends every widget a
`QEvent.LanguageChange` when a translator is installed or removed; a widget with the `Retranslating`
mixin then runs its `retranslate()` again, which sets every text it shows from `tr()`. Each widget
sets its texts in `retranslate()` (called once at the end of its construction), never only once in
`__init__`, so no English is left behind after choosing Français.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent


class Retranslating:
    """Mixin for a QWidget subclass (put it first among the bases). By default `retranslate()` sets
    the fixed texts of the widget's tree again from the catalogue's `translation_contexts`, then
    calls the widget's `after_language_change()`, if it has one, for the texts it builds itself."""

    translation_contexts: tuple[str, ...] = ()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]

    def retranslate(self) -> None:
        retranslate_tree(self, self.translation_contexts)
        refresh = getattr(self, "after_language_change", None)
        if refresh is not None:
            refresh()


def retranslate_tree(root, contexts: tuple[str, ...]) -> None:
    """Set the fixed texts of `root` and of its child widgets again in the current language: labels,
    buttons, group titles, placeholders, tool tips, drop-down items and table headers whose text is
    a catalogue text of one of `contexts` (found through the previous language's catalogue).
    Children that retranslate themselves are left to do so. Texts built from values (a count, a
    pid) are not catalogue texts: their owner shows them again."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QTableWidget, QWidget

    from qtapp.window.i18n import retranslated

    def again(text: str) -> str:
        return retranslated(text, contexts) if text else text

    widgets = [root] + [child for child in root.findChildren(QWidget)
                        if not isinstance(child, Retranslating) and not _inside_other(child, root)]
    for widget in widgets:
        if widget.toolTip():
            widget.setToolTip(again(widget.toolTip()))
        if isinstance(widget, (QLabel, QAbstractButton)):
            widget.setText(again(widget.text()))
        elif isinstance(widget, QGroupBox):
            widget.setTitle(again(widget.title()))
        elif isinstance(widget, QLineEdit):
            widget.setPlaceholderText(again(widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                widget.setItemText(index, again(widget.itemText(index)))
        elif isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                item = widget.horizontalHeaderItem(column)
                if item is not None:
                    item.setText(again(item.text()))


def _inside_other(widget, root) -> bool:
    """Whether `widget` belongs to a Retranslating widget below `root` (which handles it)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, Retranslating):
            return True
        parent = parent.parentWidget()
    return False
