"""Starting Qt under qasync so widgets and asyncio share one event loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# qasync picks the first Qt binding it finds unless told; the widgets are PySide6.
os.environ.setdefault("QT_API", "pyside6")

import PySide6  # noqa: F401 - imported before qasync on purpose
import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from pos_app import __version__
from pos_app.app.deferred import load_deferred
from pos_app.app.till import build_till
from pos_app.app.translations import install_translators
from pos_app.app.world import open_repository
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.daily import back_up_today
from pos_app.ui import theme
from pos_app.ui.collector import MainThreadCollector
from pos_app.ui.main_window import MainWindow
from pos_app.ui.single_instance import SingleWindow

log = logging.getLogger(__name__)


def application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("pos-app")
    app.setApplicationVersion(__version__)
    # Closing the window must not stop the loop before main() has closed the engine and the
    # database ("Event loop stopped before Future completed"); main() returning ends the app.
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(paths.resources_dir() / "icon.svg")))
    theme.apply(app)
    return app


def settle_garbage_collector() -> None:
    """Move everything made at start-up (Qt wrappers, modules, babel data) out of the
    collector's sight: a full collection then walks only what the day adds, and stays short
    enough not to freeze the window (measured in benchmarks/ui_responsiveness.py)."""
    gc.collect()
    gc.freeze()


def peak_memory_mb() -> str:
    """Resident memory high-water mark of this process, for the smoke test and benchmarks."""
    try:
        import resource
    except ImportError:  # Windows
        return "unknown"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return f"{peak / (1024 * 1024 if sys.platform == 'darwin' else 1024):.0f} MB"


async def back_up(config: Config) -> None:
    try:
        await asyncio.to_thread(back_up_today, config)
    except StoreError:
        log.exception("daily backup failed")


@dataclass(frozen=True)
class Launch:
    """How the window was asked for."""

    config: Config
    demo: bool
    smoke_test: bool
    keyring_problem: str | None
    started: float  # perf_counter() when asked
    translations: list[str]  # the catalogues loaded


def run_gui(
    config: Config, *, demo: bool, smoke_test: bool = False, keyring_problem: str | None = None
) -> int:
    started = time.perf_counter()
    translators = install_translators(application(), config.shop.effective_language)
    loaded = [Path(t.filePath()).stem for t in translators]
    launch = Launch(config, demo, smoke_test, keyring_problem, started, loaded)
    # One window per till, demo or live: a cashier must not take money in the wrong one.
    single = SingleWindow(paths.live_data_dir())
    if not single.claim():
        print(
            "pos-app is already open for this till: its window was asked to come to the front",
            file=sys.stderr,
        )
        return 0
    try:
        repository = open_repository()
    except StoreError as exc:
        single.release()
        if smoke_test:
            print(f"pos-app: {exc}", file=sys.stderr)
        else:
            title = QCoreApplication.translate("App", "pos-app cannot start")
            QMessageBox.critical(None, title, str(exc))
        return 1
    try:
        qasync.run(_serve(launch, repository, single))
    finally:
        repository.close()
        single.release()
    return 0


async def _serve(launch: Launch, repository: PaymentRepository, single: SingleWindow) -> None:
    """The window until it is closed; the engine and the widgets are made inside the running
    loop: both create tasks."""
    config = launch.config
    till = build_till(config, demo=launch.demo)
    engine = till.engine(repository)
    window = MainWindow(
        config,
        repository,
        demo=launch.demo,
        keyring_problem=launch.keyring_problem,
        engine=engine,
        till=till,
    )
    engine.resume()  # payments left unfinished by a crash or a lost network
    if till.link is not None:
        till.link.start()  # the owner's hub: callbacks, customer payments
    single.wake_up.connect(window.come_forward)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    # A counter screen runs full screen; the explicit size also holds without a window
    # manager (kiosk set-ups), where "maximized" is only a hint.
    window.resize(window.screen().availableGeometry().size())
    window.showMaximized()
    await asyncio.sleep(0)
    if launch.smoke_test:
        _smoke_report(window, launch)
        window.close()
    settle_garbage_collector()  # once the window is drawn, not before
    MainThreadCollector(window)  # from now on, collections on this thread only
    # After the collector: a collection must not run on the worker thread. The smoke test
    # waits for it too, so the packaged app proves these modules are in it.
    warming = asyncio.ensure_future(asyncio.to_thread(load_deferred, launch.demo))
    if not launch.smoke_test:
        # Today's copy at start (it holds yesterday whole, even after a crash) and again
        # at closing time (the day's takings); on a worker thread, off the window's.
        starting = asyncio.ensure_future(back_up(config))
    await closed.wait()
    await engine.aclose()
    if not launch.smoke_test:
        await starting
        await back_up(config)
    await warming  # last: a module missing from a build must not cost the closing backup


def _smoke_report(window: MainWindow, launch: Launch) -> None:
    """For the frozen test and the start-up benchmark: the window shown (the benchmark's clock
    stops at that line), then whether the icon, the day report's chart (QtCharts; its tab is
    made here) and the translations loaded."""
    elapsed = (time.perf_counter() - launch.started) * 1000
    print(
        f"window shown in {elapsed:.0f} ms: {window.windowTitle()}; peak memory {peak_memory_mb()}",
        flush=True,
    )
    icon = "icon ok" if not window.windowIcon().pixmap(64).isNull() else "icon missing"
    chart = "chart ok" if not window.report.chart_view.grab().isNull() else "chart missing"
    translations = ", ".join(launch.translations) or "none"
    print(f"{icon}; {chart}; translations {translations}", flush=True)
