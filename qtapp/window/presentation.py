"""What presentation mode and the zoom change in the main window: the layout a class needs (the
drawing and the plots, not the settings) and every text, plot line and drawing at the chosen size."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from qtapp.classroom.architecture import ArchitectureView
from qtapp.measuring.plots.style import scale_plot_widget
from qtapp.window.fitting import fit_to_screen
from qtapp.window.style_sheet import apply_style


def arrange_for_presentation(window) -> None:
    """In presentation mode the side panel folds away (View → Side panel or Ctrl+L brings it
    back), the logs get less room and the panels their compact form; out of it, the normal layout."""
    presentation = window.presentation
    window.side_panel_action.setChecked(not presentation)
    total = sum(window.main_splitter.sizes()) or 960
    logs_share = 0.2 if presentation else 0.27
    window.main_splitter.setSizes([int(total * (1 - logs_share)), int(total * logs_share)])
    for panel in window.server_panels.values():
        panel.set_compact(presentation)
    window.client_panel.set_compact(presentation)
    for log in (window.client_log, window.server_log):
        log.set_compact(presentation)
    for card in window.plot_cards():
        card.set_compact(presentation)


def apply_zoom(window) -> None:
    """The window's style sheet, plots, logs, teaching pages and drawings at its point size."""
    application = QApplication.instance()
    if application is not None:
        apply_style(application, window.presentation, window.zoom, window)
    size = window.point_size
    for card in window.plot_cards():
        scale_plot_widget(card.graphics, size, window.line_scale)
    for log in (window.client_log, window.server_log):  # for a class, no text under the window's size
        log.set_point_size(size if window.presentation else max(8, size - 1))
    window.architecture_view.set_line_scale(1.6 if window.presentation else 1.0)
    for page in getattr(window, "teaching_pages", []):
        if hasattr(page, "set_point_size"):
            page.set_point_size(size)
    text_pixels = QFontInfo(QApplication.font()).pixelSize() if window.presentation else 0
    for view in window.findChildren(ArchitectureView):  # the drawings' texts as large as the window's
        view.set_minimum_text_pixels(text_pixels)
    QTimer.singleShot(0, window, lambda: fit_to_screen(window))  # once the new fonts are laid out
