"""How long a file made for a download stays at its ``/media/`` address.

A download button's file is made when it is clicked and then fetched by the browser from
``/media/<id>.<extension>``. Streamlit serves that address to whoever asks for it: its
media route knows no sessions and wants no cookie. The id is the SHA-224 of the file's
bytes, name and type, so nobody finds it without already knowing the file's content, but
whoever has the address (a browser's history, a proxy's log) can fetch it while it lasts.

Streamlit forgets such a file on the second of its sweeps after no session refers to it
(a made download is never referred to), and it sweeps only when a script run ends: on a
quiet server a made file could stay for hours. :func:`start_sweeper` runs the same sweep
every half ``[dashboard] download_lifetime_seconds`` in one thread of the server process,
so a made file is gone at most that long after it was made. The Press kit's preview
picture is a page element, not a download: it stays while a session shows it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from streamlit import runtime
from streamlit.runtime.media_file_manager import MediaFileManager

log = logging.getLogger(__name__)

_lock = threading.Lock()
_sweeper: threading.Thread | None = None


def _running_manager() -> MediaFileManager | None:
    """The media files of the Streamlit server this process runs, if it runs one."""
    return runtime.get_instance().media_file_mgr if runtime.exists() else None


def sweep_every(
    seconds: float,
    manager: Callable[[], MediaFileManager | None],
    stop: threading.Event,
) -> None:
    """Sweep ``manager()``'s files no session refers to every ``seconds``, until ``stop``."""
    while not stop.wait(seconds):
        files = manager()
        if files is None:
            continue
        try:
            files.remove_orphaned_files()
        except Exception:  # never let the sweeper die: the next sweep tries again
            log.exception("sweeping the downloads' files failed")


def start_sweeper(lifetime_seconds: float) -> None:
    """Start the server process's sweeper once: a made download lives ≤ ``lifetime_seconds``.

    Streamlit drops a file on the second sweep that finds it unreferenced, so sweeping every
    half lifetime removes it between half and the whole of it after it was made.
    """
    global _sweeper
    with _lock:
        if _sweeper is not None and _sweeper.is_alive():
            return
        _sweeper = threading.Thread(
            target=sweep_every,
            args=(lifetime_seconds / 2, _running_manager, threading.Event()),
            name="download-sweeper",
            daemon=True,
        )
        _sweeper.start()
