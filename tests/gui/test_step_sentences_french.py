"""In Français the step-by-step lesson speaks French: every step of a real exchange (both the
client's, made in this process, and the step-mode server's, read from its event lines) is shown
in French, and still names the very system calls, C constants, paths and numbers the English
sentence names; back in English the same steps read in English again."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QApplication

from qtapp.classroom.step_sentences import TEMPLATES, shown_sentence

ENGLISH_WORDS = re.compile(r"\b(The client|The server|wrote|opened|closed|file descriptor|bytes|numbers|"
                           r"reply|request FIFO|Why|with|the kernel|got)\b")
# What must survive translation untouched: C constants, calls, paths and file names, numbers.
KEPT = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b\w+\(\)|[\w.-]+\.fifo\b|/[\w./-]+|\b\d+\b")


def _stop_step_server(qtbot, page) -> None:
    server = page.server
    if server is not None and server.running:
        with qtbot.waitSignal(server.state_changed, timeout=10000, check_params_cb=lambda s: s == "stopped"):
            server.stop()


@pytest.fixture
def french(window):
    window.choose_language("fr")
    QApplication.processEvents()
    yield window
    window.choose_language("en")
    window.settings.set_language("")
    QApplication.processEvents()


@pytest.mark.parametrize("transport", ("fifo", "tcp"))
def test_step_sentences_are_french_and_name_the_same_flags(qtbot, french, transport):
    window = french
    page = window.step_page
    window.tabs.setCurrentWidget(page)
    page.transport_combo.setCurrentIndex(page.transport_combo.findData(transport))
    page.set_mode("slow", 0.01)
    with qtbot.waitSignal(page.exchange_finished, timeout=30000) as finished:
        page.start_button.click()
    assert finished.args[0] is True
    qtbot.waitUntil(lambda: len(page.order) == 0 and page.list.count() == len(page.shown), timeout=5000)
    assert {step.actor for step in page.shown} == {"client", "server"}
    assert len(page.shown) >= 6
    flagged = 0
    for index, step in enumerate(page.shown):
        shown = page.list.item(index).text()
        assert step.words is not None, f"step {step.syscall} carries no template: it cannot be translated"
        assert set(step.words.templates()) <= set(TEMPLATES), "a template lupdate does not see"
        french_sentence = shown_sentence(step)
        assert french_sentence in shown
        assert french_sentence != step.sentence, f"not translated: {step.sentence}"
        assert not ENGLISH_WORDS.search(KEPT.sub("", french_sentence)), f"English left in: {french_sentence}"
        assert set(KEPT.findall(step.sentence)) <= set(KEPT.findall(french_sentence)), (step.sentence,
                                                                                         french_sentence)
        for flag in (step.detail.get("flags") or "").split("|"):
            if flag.startswith(("O_", "SOCK_")):
                assert flag in french_sentence, (flag, french_sentence)
                flagged += 1
        if step.detail.get("path") and step.detail["path"].rsplit("/", 1)[-1] in step.sentence:
            assert step.detail["path"].rsplit("/", 1)[-1] in french_sentence
    assert flagged >= (6 if transport == "fifo" else 2), "the flags of the open()s and socket()s are named"
    reply_open = [step for step in page.shown if step.syscall == "openat" and step.actor == "client"]
    if transport == "fifo":
        assert any("O_RDWR|O_NONBLOCK" in shown_sentence(step) and "Pourquoi" in shown_sentence(step)
                   for step in reply_open)

    window.choose_language("en")  # the steps on screen switch back at once
    QApplication.processEvents()
    for index, step in enumerate(page.shown):
        assert page.list.item(index).text().endswith(step.sentence)
    _stop_step_server(qtbot, page)


def test_every_template_is_in_the_catalogue_and_translated(window):
    """Every template the back end can use is marked for lupdate and has a French translation
    whose fields are the template's own."""
    from string import Formatter

    from backend.classroom.call_words import CALL_NOTES, WHY
    from backend.classroom.stepped_servers import REPLY_FIFO_REASONS as SERVER_REASONS
    from backend.classroom.traced_exchange import REPLY_FIFO_REASONS, REQUEST_FIFO_REASONS
    from qtapp.classroom.step_sentences import translate_template

    for reasons in (WHY, CALL_NOTES, SERVER_REASONS, REPLY_FIFO_REASONS, REQUEST_FIFO_REASONS):
        assert set(reasons.values()) <= set(TEMPLATES)
    window.choose_language("fr")
    try:
        untranslated = []
        for template in TEMPLATES:
            french = translate_template(template)
            fields = {name for _, name, _, _ in Formatter().parse(template) if name}
            assert fields == {name for _, name, _, _ in Formatter().parse(french) if name}, template
            if french == template and re.search(r"[a-z]{3}", re.sub(r"\{\w+\}", "", template)):
                untranslated.append(template)
        assert untranslated == []
    finally:
        window.choose_language("en")
        window.settings.set_language("")


def test_kernel_view_sentences_are_french(qtbot, window, tmp_path):
    """A real `cat` blocked opening a FIFO: the kernel view's sentence about it reads in French,
    with the system call and the FIFO's name as they are."""
    import os
    import subprocess

    from backend.kernel_view.badges import badge_for_thread
    from backend.kernel_view.sampler import sample_once
    from qtapp.classroom.kernel_sentences import badge_sentence, badge_short, thread_summary

    fifo = tmp_path / "lesson.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.DEVNULL)
    try:
        def blocked_thread():
            process = sample_once([reader.pid], with_descriptors=False).process(reader.pid)
            threads = process.threads if process is not None else []
            return next((thread for thread in threads if thread.blocked and thread.call == "openat"), None)

        qtbot.waitUntil(lambda: blocked_thread() is not None, timeout=10000)
        thread = blocked_thread()
        english = thread.summary
        assert english.startswith("blocked in openat()") and "lesson.fifo" in english
        window.choose_language("fr")
        try:
            french = thread_summary(thread)
            assert french.startswith("bloqué dans openat()") and "lesson.fifo" in french, french
            if thread.wait_channel == "wait_for_partner":  # the kernel may hide it
                assert french.endswith("— l’ouverture d’une FIFO attend que l’autre bout soit ouvert"), french
            assert "blocked" not in french and "waits" not in french, french
            badge = badge_for_thread(thread)
            assert badge_sentence(badge) == french and badge_short(badge.short) == "bloqué dans openat()"
        finally:
            window.choose_language("en")
            window.settings.set_language("")
        assert thread_summary(thread) == english
    finally:
        reader.kill()
        reader.wait()
