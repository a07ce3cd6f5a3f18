"""A made download leaves its /media address within the configured lifetime (ui.downloads),
on Streamlit's own media file manager: the file a click made goes, the button stays."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui.downloads import sweep_every

INTERVAL = 0.1


def _clicked(manager: MediaFileManager) -> str:
    """A download button registered by a session and clicked once: the made file's id."""
    placeholder = manager.add_deferred(
        lambda: b"district,opd\nBastar,60045\n", "text/csv", "button-1", "figures.csv"
    )
    url = manager.execute_deferred(placeholder)
    return url.rsplit("/", 1)[-1].split(".", 1)[0]


def _stored(manager: MediaFileManager, file_id: str) -> bool:
    try:
        manager._storage.get_file(file_id)  # noqa: SLF001 - what the /media route reads
    except MediaFileStorageError:
        return False
    return True


@pytest.fixture
def manager() -> MediaFileManager:
    return MediaFileManager(MemoryMediaFileStorage("/media"))


def test_without_a_sweep_a_made_file_stays(manager: MediaFileManager) -> None:
    file_id = _clicked(manager)
    time.sleep(5 * INTERVAL)
    assert _stored(manager, file_id), "Streamlit alone sweeps only when a script run ends"


def test_the_sweeper_removes_a_made_file_and_keeps_the_button(manager: MediaFileManager) -> None:
    file_id = _clicked(manager)
    assert _stored(manager, file_id)
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_every, args=(INTERVAL, lambda: manager, stop))
    sweeper.start()
    try:
        deadline = time.monotonic() + 50 * INTERVAL
        while _stored(manager, file_id) and time.monotonic() < deadline:
            time.sleep(INTERVAL / 4)
        assert not _stored(manager, file_id), "the made file is still served"
        # the button's callable is still referenced by its session: a second click works
        assert _clicked(manager) == file_id
    finally:
        stop.set()
        sweeper.join(timeout=5)


def test_a_sweep_that_fails_does_not_end_the_sweeper(manager: MediaFileManager) -> None:
    calls: list[int] = []

    def flaky() -> MediaFileManager | None:
        calls.append(1)
        if len(calls) == 1:
            raise_on_sweep = MediaFileManager(MemoryMediaFileStorage("/media"))
            raise_on_sweep.remove_orphaned_files = _boom  # type: ignore[method-assign]
            return raise_on_sweep
        return None if len(calls) == 2 else manager

    file_id = _clicked(manager)
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_every, args=(INTERVAL, flaky, stop))
    sweeper.start()
    try:
        deadline = time.monotonic() + 50 * INTERVAL
        while _stored(manager, file_id) and time.monotonic() < deadline:
            time.sleep(INTERVAL / 4)
        assert not _stored(manager, file_id)
        assert len(calls) >= 4
    finally:
        stop.set()
        sweeper.join(timeout=5)


def _boom() -> None:
    raise RuntimeError("a sweep that fails")
