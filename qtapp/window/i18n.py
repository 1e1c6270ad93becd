"""Languages: English (the source texts) and French, through Qt's translation system.

Texts in qtapp are marked with `self.tr(...)` / `QCoreApplication.translate(...)`; the catalogues
are `resources/translations/ipclab_<lang>.ts` (edit with Qt Linguist), compiled to `.qm` files at
build time by `packaging/compile_translations.py` (pyside6-lrelease). The language is chosen, in
order, by `ipclab gui --language`, the IPCLAB_LANGUAGE environment variable, the setting
(View → Language), then the system locale.

English has a catalogue too, holding only the plural forms: a text like "%n request(s) served"
reads "1 request served" / "2 requests served" through it (Qt's way of writing plurals). Installing
a language also makes its locale the default one, so numbers written with `%Ln` or
`QLocale().toString` follow it ("200,000" in English, "200 000" in French).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from qtapp.window.resource_files import resource_path

LANGUAGES = (("", "System"), ("en", "English"), ("fr", "Français"))
SUPPORTED = ("en", "fr")
LOCALES = {"en": (QLocale.Language.English, QLocale.Country.UnitedStates),
           "fr": (QLocale.Language.French, QLocale.Country.France)}
_installed: list[QTranslator] = []
_state = {"language": ""}  # the language installed last ("" = none yet)


def translation_file(language: str) -> str:
    return resource_path("translations", f"ipclab_{language}.qm")


def resolve_language(requested: str | None = None, setting: str = "") -> str:
    """The language to use: an explicit request, IPCLAB_LANGUAGE, the setting, else the system's."""
    for candidate in (requested, os.environ.get("IPCLAB_LANGUAGE"), setting):
        if candidate:
            code = candidate.lower().replace("-", "_").split("_")[0]
            if code in SUPPORTED:
                return code
    system = QLocale.system().name().split("_")[0].lower()
    return system if system in SUPPORTED else "en"


def remove_translators() -> None:
    application = QCoreApplication.instance()
    _state["language"] = ""
    while _installed:
        translator = _installed.pop()
        if application is not None:
            application.removeTranslator(translator)


def install_translator(language: str) -> bool:
    """Install the catalogue of `language` ("" resolves it) on the application; return whether a
    translation is now active (English needs none and returns True)."""
    application = QCoreApplication.instance()
    if application is None:
        return False
    language = resolve_language(language)
    remove_translators()
    QLocale.setDefault(QLocale(*LOCALES[language]))
    _state["language"] = language
    ours = QTranslator()
    if not ours.load(translation_file(language)):
        return language == "en"  # English without its plural catalogue still reads, if clumsily
    application.installTranslator(ours)
    _installed.append(ours)
    if language == "en":
        return True
    qt_own = QTranslator()  # Qt's own texts: dialog buttons and the like
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        application.installTranslator(qt_own)
        _installed.append(qt_own)
    return True


def ensure_translator(language: str = "") -> str:
    """Install `language` unless a language is installed already; return the installed one."""
    if not _state["language"]:
        install_translator(language)
    return _state["language"] or "en"


def active_language() -> str:
    return _state["language"] or "en"
