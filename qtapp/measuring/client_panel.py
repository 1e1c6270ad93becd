"""The client panel: transport, single request, workload parameters, Start / Stop, progress."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.model import TRANSPORT_NAMES
from qtapp.window.retranslating import Retranslating

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_COUNT = 100_000_000



def transport_combo_box() -> QComboBox:
    """A drop-down of the transports: their names shown, their keys ("fifo", "tcp", "unix") as data."""
    combo = QComboBox()
    for key, name in TRANSPORT_NAMES.items():
        combo.addItem(name, key)
    return combo

class ClientPanel(Retranslating, QGroupBox):
    """Where the user says what the clients do. Emits requests; the main window carries them out."""

    single_requested = Signal(str)  # transport
    workload_requested = Signal(object)  # WorkloadSpec
    compare_requested = Signal(object)  # WorkloadSpec (its transport is ignored)
    stop_requested = Signal()
    transport_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transport_combo = transport_combo_box()
        self.transport_combo.currentIndexChanged.connect(lambda _index: self.transport_changed.emit(self.transport))
        self.single_button = QPushButton()
        self.single_button.clicked.connect(lambda: self.single_requested.emit(self.transport))

        self.requests_spin = QSpinBox()
        self.requests_spin.setRange(0, 2_000_000_000)
        self.requests_spin.setGroupSeparatorShown(True)
        self.requests_spin.setValue(10_000)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(0, MAX_COUNT)
        self.count_spin.setGroupSeparatorShown(True)
        self.count_spin.setValue(10)
        self.random_count = QCheckBox()
        self.random_count.toggled.connect(lambda checked: self.count_spin.setEnabled(not checked))
        self.lo_spin = QSpinBox()
        self.lo_spin.setRange(INT32_MIN, INT32_MAX)
        self.lo_spin.setValue(1)
        self.hi_spin = QSpinBox()
        self.hi_spin.setRange(INT32_MIN, INT32_MAX)
        self.hi_spin.setValue(10)
        self.seed_edit = QLineEdit()
        self.seed_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,19}")))
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)
        self.duration_spin = QDoubleSpinBox()
        self.duration_spin.setRange(0, 86_400)
        self.duration_spin.setDecimals(1)
        self.duration_spin.setSuffix(" s")

        count_row = QHBoxLayout()
        count_row.addWidget(self.count_spin, 1)
        count_row.addWidget(self.random_count)
        range_row = QHBoxLayout()
        range_row.addWidget(self.lo_spin, 1)
        range_row.addWidget(QLabel(".."))
        range_row.addWidget(self.hi_spin, 1)
        # Two columns of label and field: the whole panel fits beside the plots without scrolling.
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        self.form = form
        self.field_labels: dict[str, QLabel] = {}

        def field(key: str, widget, row: int, column: int, span: int = 1) -> None:
            label = QLabel()
            self.field_labels[key] = label
            form.addWidget(label, row, column)
            if isinstance(widget, QWidget):
                label.setBuddy(widget)
                form.addWidget(widget, row, column + 1, 1, span)
            else:
                form.addLayout(widget, row, column + 1, 1, span)

        field("transport", self.transport_combo, 0, 0)
        form.addWidget(self.single_button, 0, 2, 1, 2)
        field("requests", self.requests_spin, 1, 0)
        field("threads", self.concurrency_spin, 1, 2)
        field("count", count_row, 2, 0, span=3)
        field("range", range_row, 3, 0, span=3)
        field("seed", self.seed_edit, 4, 0)
        field("duration", self.duration_spin, 4, 2)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        self.start_button = QPushButton()
        self.start_button.setObjectName("startWorkload")
        self.start_button.clicked.connect(self._on_start)
        self.stop_button = QPushButton()
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_requested)
        self.compare_button = QPushButton()
        self.compare_button.clicked.connect(self._on_compare)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("progressLabel")
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")

        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button, 2)
        buttons.addWidget(self.stop_button, 1)
        buttons.addWidget(self.compare_button, 2)
        self.error_label.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setSpacing(5)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.error_label)
        self.retranslate()

    def retranslate(self) -> None:
        """Every text of the panel, in the current language."""
        self.setTitle(self.tr("Client"))
        for index in range(self.transport_combo.count()):
            self.transport_combo.setItemText(index, TRANSPORT_NAMES[self.transport_combo.itemData(index)])
        self.single_button.setText(self.tr("Send one request"))
        self.single_button.setToolTip(self.tr("Ask the server once for “Numbers each” numbers in the range "
                                              "(a random count 1..10 when that box is ticked)"))
        self.requests_spin.setSpecialValueText(self.tr("no limit"))
        self.duration_spin.setSpecialValueText(self.tr("no limit"))
        self.random_count.setText(self.tr("random 1..10"))
        self.seed_edit.setPlaceholderText(self.tr("random"))
        for key, text in (("transport", self.tr("Transport")), ("requests", self.tr("Requests")),
                          ("threads", self.tr("Client threads")), ("count", self.tr("Numbers each")),
                          ("range", self.tr("Range")), ("seed", self.tr("Seed")), ("duration", self.tr("Duration"))):
            self.field_labels[key].setText(text)
        self.start_button.setText(self.tr("Start workload"))
        self.stop_button.setText(self.tr("Stop"))
        self.compare_button.setText(self.tr("Compare FIFO · TCP · Unix"))
        self.compare_button.setToolTip(self.tr("Run this workload on each transport in turn and overlay the results"))
        if self.progress.value() == 0 and not self.stop_button.isEnabled():
            self.progress.setFormat(self.tr("idle"))

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: hide the seed and duration rows a teacher rarely needs."""
        for key, field in (("seed", self.seed_edit), ("duration", self.duration_spin)):
            field.setVisible(not compact)
            self.field_labels[key].setVisible(not compact)

    def single_count(self) -> int | None:
        """What "Send one request" asks for: "Numbers each", or None for a random count 1..10."""
        return None if self.random_count.isChecked() else self.count_spin.value()

    @property
    def transport(self) -> str:
        return str(self.transport_combo.currentData())

    def set_transport(self, transport: str) -> None:
        index = self.transport_combo.findData(transport)
        if index >= 0:
            self.transport_combo.setCurrentIndex(index)

    def spec(self, transport: str | None = None) -> WorkloadSpec:
        """The workload the fields describe (checked: raises ValueError with a clear message)."""
        seed_text = self.seed_edit.text().strip()
        spec = WorkloadSpec(
            transport=transport or self.transport,
            requests=self.requests_spin.value() or None,
            count=None if self.random_count.isChecked() else self.count_spin.value(),
            lo=self.lo_spin.value(), hi=self.hi_spin.value(),
            seed=int(seed_text) if seed_text else None,
            concurrency=self.concurrency_spin.value(),
            duration=self.duration_spin.value() or None,
        )
        spec.check()
        return spec

    def set_spec(self, values: dict) -> None:
        """Fill the fields from a saved dict (unknown or bad values are ignored)."""
        def number(key: str, default: int | float) -> int | float:
            try:
                return type(default)(values.get(key, default))
            except (TypeError, ValueError):
                return default

        self.requests_spin.setValue(int(number("requests", self.requests_spin.value())))
        count = values.get("count", self.count_spin.value())
        self.random_count.setChecked(count in (None, "random"))
        if count not in (None, "random"):
            self.count_spin.setValue(int(number("count", self.count_spin.value())))
        self.lo_spin.setValue(int(number("lo", self.lo_spin.value())))
        self.hi_spin.setValue(int(number("hi", self.hi_spin.value())))
        seed = values.get("seed")
        self.seed_edit.setText("" if seed in (None, "") else str(seed))
        self.concurrency_spin.setValue(int(number("concurrency", self.concurrency_spin.value())))
        self.duration_spin.setValue(float(number("duration", self.duration_spin.value())))
        if values.get("transport") in TRANSPORT_NAMES:
            self.set_transport(str(values["transport"]))

    def saved_spec(self) -> dict:
        """The fields as a dict for QSettings."""
        return {
            "transport": self.transport, "requests": self.requests_spin.value(),
            "count": "random" if self.random_count.isChecked() else self.count_spin.value(),
            "lo": self.lo_spin.value(), "hi": self.hi_spin.value(), "seed": self.seed_edit.text().strip(),
            "concurrency": self.concurrency_spin.value(), "duration": self.duration_spin.value(),
        }

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.compare_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))  # an empty line would cost the panel its fit

    def _emit_spec(self, signal: Signal) -> None:
        try:
            spec = self.spec()
        except ValueError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        signal.emit(spec)

    def _on_start(self) -> None:
        self._emit_spec(self.workload_requested)

    def _on_compare(self) -> None:
        self._emit_spec(self.compare_requested)
