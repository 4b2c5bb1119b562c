"""corridor._gc.paused_gc: collection off inside, restored by the last block out."""

from __future__ import annotations

import gc
import threading

import pytest

from corridor._gc import paused_gc


def test_collection_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still open
    assert gc.isenabled()


def test_a_process_that_turned_collection_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_restored_after_an_error_and_as_a_decorator() -> None:
    @paused_gc()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        fails()
    assert gc.isenabled()


def test_the_last_thread_out_restores_it() -> None:
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with paused_gc():
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    inside.wait(5)
    with paused_gc():
        pass
    assert not gc.isenabled()  # the other thread's block is still open
    leave.set()
    t.join()
    assert gc.isenabled()
