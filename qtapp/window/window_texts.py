"""The main window's own texts, set again when the language changes (`retranslate_window`), and
the labels it gives the architecture view's client threads. The texts keep the main window's
translation context ("MainWindow")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale

from qtapp.classroom.architecture import ClientNode
from qtapp.window.engine_choice import update_engine_label
from qtapp.window.menus import build_menus
from qtapp.window.run_display import show_progress, summary_captions

if TYPE_CHECKING:
    from qtapp.window.main_window import MainWindow


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def retranslate_window(window: MainWindow) -> None:
    """Every text the window itself shows (its widgets retranslate themselves)."""
    if not hasattr(window, "welcome_hint"):
        return  # still being built: its texts are set as it is built
    window.setLocale(QLocale())  # spin boxes and the like group digits the new language's way
    window.setWindowTitle(_tr("IPC Lab — FIFOs, TCP and Unix sockets, live"))
    window.primary_button.setToolTip(_tr("Starts the server if needed and sends one request"))
    window._update_primary_button()
    for key, caption in summary_captions().items():
        window.summary_caption_labels[key].setText(caption)
    for page, title in tab_titles(window).items():
        window.tabs.setTabText(window.tabs.indexOf(page), title)
    window.client_log.title.setText(_tr("Client"))
    window.server_log.title.setText(_tr("Servers"))
    was_hint = window.statusBar().currentMessage() == window.welcome_hint
    window.welcome_hint = _tr("Press the blue button to see a FIFO exchange.")
    if was_hint:
        window.statusBar().showMessage(window.welcome_hint)
    build_menus(window)
    update_engine_label(window)
    window._update_summary()
    if getattr(window, "_last_progress", None) is not None:
        show_progress(window.client_panel, window._last_progress)
    window.refresh_architecture(redraw=True)
    window.refresh_plots(force=True)


def tab_titles(window: MainWindow) -> dict:
    """Each tab page and its title in the current language."""
    titles = {window.overview: _tr("Overview"), window.architecture_view: _tr("Architecture"),
              window.latency_cdf_plot: _tr("Latency CDF"), window.compare_view: _tr("Compare")}
    if hasattr(window, "teaching_pages"):
        from qtapp.classroom.teaching import teaching_tab_titles

        titles.update(teaching_tab_titles(window))
    return titles


def client_nodes(window: MainWindow) -> list[ClientNode]:
    """Every client thread of this process that is running now."""
    nodes = []
    for run in window.runs.values():
        if not run.running:
            continue
        for index in range(run.spec.concurrency):
            nodes.append(ClientNode(f"{run.transport}:{run.run_id}:{index}", run.transport,
                                    _tr("client thread {number}").format(number=index + 1)))
    nodes.extend(window.extra_clients.values())
    return nodes
