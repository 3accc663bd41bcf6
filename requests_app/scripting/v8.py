"""A V8 isolate through mini-racer's native library, driven directly with ctypes. No Django.

Usage::

    isolate = Isolate()                          # V8 is set up once per process, on first use
    isolate.set_hard_memory_limit(64 * 2**20)
    isolate.eval("1 + 1", timeout_s=1.0)         # -> 2; raises JSParseError, JSEvalError, JSOOMError, JSTimeoutError
    isolate.close()

Why not mini-racer's Python API: importing it loads asyncio, logging and importlib.resources
(≈ 45 ms of the GIL at a run's start, which the warm-up thread cannot overlap with the main
thread's own imports), and each context starts an asyncio event-loop thread it does not need
here. The native library (`libmini_racer.so`, with `icudtl.dat`, from the pinned `mini-racer`
wheel: the C ABI is that version's) does the work either way: an isolate with its own thread,
`mr_eval` posting a task to it, the result handed back through a callback (on Linux libc's
eventfd_write, so that no Python runs on the isolate's thread). This module is the process's only
user of that library (V8 is initialised once per process).
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import os
import queue
import select
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

V8_FLAGS = b"--single-threaded"  # mini-racer's default
# How long the host checks for a result (yielding its CPU between checks) before it sleeps until one
# comes. Most evaluations of a run end within 0.1-0.5 ms; a thread that sleeps for one is woken by
# another CPU, which on a virtual machine costs ≈ 40 µs per evaluation. Bounded, so a long script
# costs at most this much CPU more. Measured in docs/performance.md ("Scripts in the runner").
RESULT_SPIN_S = 0.001
CANCEL_GRACE_S = 2.0

# mini_racer.cc's value types (mini-racer 0.14, py_mini_racer/_objects.py _MiniRacerTypes)
_NULL, _BOOL, _INTEGER, _DOUBLE, _STR_UTF8, _UNDEFINED = 1, 2, 3, 4, 5, 11
_EXECUTE_EXCEPTION, _PARSE_EXCEPTION, _OOM_EXCEPTION, _TIMEOUT_EXCEPTION, _TERMINATED_EXCEPTION = 200, 201, 202, 203, 204
_UNCANCELABLE = 0  # the callback id of tasks whose result comes through the results queue


class JSEvalError(Exception):
    """The evaluation threw (the message is V8's, with the location for a syntax error)."""


class JSParseError(JSEvalError):
    pass


class JSOOMError(JSEvalError):
    pass


class JSTimeoutError(JSEvalError):
    pass


class JSTerminatedError(JSEvalError):
    pass


_ERRORS: dict[int, type[JSEvalError]] = {
    _EXECUTE_EXCEPTION: JSEvalError,
    _PARSE_EXCEPTION: JSParseError,
    _OOM_EXCEPTION: JSOOMError,
    _TIMEOUT_EXCEPTION: JSTimeoutError,
    _TERMINATED_EXCEPTION: JSTerminatedError,
}


class _Union(ctypes.Union):
    _fields_: ClassVar[list[tuple[str, Any]]] = [
        ("value_ptr", ctypes.c_void_p),
        ("bytes_val", ctypes.POINTER(ctypes.c_char)),
        ("char_p_val", ctypes.c_char_p),
        ("int_val", ctypes.c_int64),
        ("double_val", ctypes.c_double),
    ]


class _Value(ctypes.Structure):
    _fields_: ClassVar[list[tuple[str, Any]]] = [("value", _Union), ("len", ctypes.c_size_t), ("type", ctypes.c_uint8)]
    _pack_ = 1


_VALUE_P = ctypes.POINTER(_Value)
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_uint64, _VALUE_P)

_lock = threading.Lock()
_dll: ctypes.CDLL | None = None


def _eventfd_callback() -> Any:
    """libc's eventfd_write(fd, value) as the isolate's result callback, where there is one (Linux).

    mini-racer calls the callback as (task's callback id, result pointer); with the id an eventfd,
    eventfd_write adds the pointer to its counter and wakes the reader. The isolate's thread then
    hands a result over without Python: no GIL to take, no thread state to make, ≈ 40 µs less per
    evaluation than a Python callback (bench/runner.py, docs/performance.md)."""
    if not hasattr(os, "eventfd"):
        return None
    try:
        return ctypes.cast(ctypes.CDLL(None).eventfd_write, _CALLBACK)
    except AttributeError:
        return None


_EVENTFD_CALLBACK = _eventfd_callback()


def _load_without_gil(path: Path) -> None:
    """dlopen the library through libc, so that the GIL is released meanwhile.

    ctypes.CDLL holds the GIL while the dynamic loader maps and relocates the 74 MB library
    (≈ 20 ms), which stalls the main thread when the warm-up thread (warm.py) starts V8; a foreign
    call releases it. The handle is kept (never dlclose'd), so ctypes.CDLL then finds the library
    loaded and only looks it up."""
    if os.name != "posix" or not hasattr(os, "RTLD_NOW"):
        return
    try:
        dlopen = ctypes.CDLL(None).dlopen
    except (AttributeError, OSError, TypeError):  # no dlopen in libc (glibc < 2.34: libdl): loaded with the GIL held
        return
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    dlopen.restype = ctypes.c_void_p
    dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_LOCAL)


def _library() -> ctypes.CDLL:
    global _dll
    with _lock:
        if _dll is None:
            spec = importlib.util.find_spec("py_mini_racer")  # finds the package without importing it
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("mini-racer is not installed")
            folder = Path(next(iter(spec.submodule_search_locations)))
            _load_without_gil(folder / "libmini_racer.so")
            dll = ctypes.CDLL(str(folder / "libmini_racer.so"))
            u64 = ctypes.c_uint64
            dll.mr_init_v8.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            dll.mr_init_context.argtypes = [_CALLBACK]
            dll.mr_init_context.restype = u64
            dll.mr_free_context.argtypes = [u64]
            dll.mr_alloc_string_val.argtypes = [u64, ctypes.c_char_p, u64, ctypes.c_uint8]
            dll.mr_alloc_string_val.restype = _VALUE_P
            dll.mr_free_value.argtypes = [u64, _VALUE_P]
            dll.mr_eval.argtypes = [u64, _VALUE_P, u64]
            dll.mr_eval.restype = u64
            dll.mr_cancel_task.argtypes = [u64, u64]
            dll.mr_set_hard_memory_limit.argtypes = [u64, ctypes.c_size_t]
            dll.mr_init_v8(V8_FLAGS, str(folder / "icudtl.dat").encode())
            _dll = dll
        return _dll


class Isolate:
    """One V8 isolate (mini-racer's context: the isolate, its thread and one JavaScript context)."""

    def __init__(self) -> None:
        self._dll = _library()
        self._done = -1  # the eventfd results come through, or -1: through _results
        self._results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        if _EVENTFD_CALLBACK is not None:
            self._done = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
            self._poll = select.poll()
            self._poll.register(self._done, select.POLLIN)
            self._callback = _EVENTFD_CALLBACK
        else:  # called on the isolate's thread: only hand the result over (the isolate waits meanwhile)
            self._callback = _CALLBACK(lambda _task_id, raw: self._results.put(raw))
        self._ctx: int | None = self._dll.mr_init_context(self._callback)

    def _result(self, timeout_s: float | None) -> Any:
        """The pending task's result pointer; raises queue.Empty after timeout_s."""
        if self._done < 0:
            return self._results.get(timeout=timeout_s)
        started = time.perf_counter()
        deadline = started + RESULT_SPIN_S
        while True:
            try:
                return ctypes.cast(ctypes.c_void_p(os.eventfd_read(self._done)), _VALUE_P)
            except BlockingIOError:  # not yet (the eventfd is non-blocking)
                if time.perf_counter() >= deadline:
                    break
                # Let a thread waiting for this CPU run first: on a busy machine that is often
                # V8's own thread, which a plain spin kept waiting (docs/performance.md: 2.2x against 1.9x).
                os.sched_yield()
        # the time limit counts from the call: a spin stretched by a busy machine is not added to it
        wait_ms = None if timeout_s is None else max(0, math.ceil((started + timeout_s - time.perf_counter()) * 1000))
        if not self._poll.poll(wait_ms):
            raise queue.Empty
        return ctypes.cast(ctypes.c_void_p(os.eventfd_read(self._done)), _VALUE_P)

    def set_hard_memory_limit(self, limit_bytes: int) -> None:
        if self._ctx is not None:
            self._dll.mr_set_hard_memory_limit(self._ctx, limit_bytes)

    def eval(self, code: str, *, timeout_s: float | None = None, value: bool = True) -> Any:
        """The value of `code` (str, int, float, bool or None; with value=False, None whatever it is);
        after a timeout the isolate is closed."""
        if self._ctx is None:
            raise JSTerminatedError("the isolate is closed")
        dll, ctx = self._dll, self._ctx
        data = code.encode("utf-8")
        handle = dll.mr_alloc_string_val(ctx, data, len(data), _STR_UTF8)
        try:
            task = dll.mr_eval(ctx, handle, _UNCANCELABLE if self._done < 0 else self._done)
            try:
                raw = self._result(timeout_s)
            except queue.Empty:
                dll.mr_cancel_task(ctx, task)  # V8 TerminateExecution; its result then comes back
                try:
                    self._result(CANCEL_GRACE_S)
                except queue.Empty:
                    pass
                self.close()  # a late result can never be read as the next evaluation's
                raise JSTimeoutError(f"the evaluation ran longer than {timeout_s} s") from None
            except BaseException:  # interrupted while waiting (Ctrl+C, a worker's soft time limit)
                dll.mr_cancel_task(ctx, task)
                self.close()  # its result, still to come, must never be read as the next one's
                raise
        finally:
            if self._ctx is not None:
                dll.mr_free_value(ctx, handle)
        try:
            return _to_python(raw.contents, value)
        finally:
            dll.mr_free_value(ctx, raw)

    def close(self) -> None:
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            self._dll.mr_free_context(ctx)  # stops the isolate's thread: no callback comes after it
            if self._done >= 0:
                os.close(self._done)


def _to_python(value: _Value, wanted: bool) -> Any:
    kind = value.type
    if kind == _STR_UTF8 and wanted:
        return value.value.bytes_val[: value.len].decode("utf-8")
    error = _ERRORS.get(kind)
    if error is not None:
        raise error(value.value.bytes_val[: value.len].decode("utf-8", errors="replace") or error.__name__)
    if not wanted:
        return None
    if kind == _INTEGER:
        return int(value.value.int_val)
    if kind == _DOUBLE:
        return float(value.value.double_val)
    if kind == _BOOL:
        return value.value.int_val == 1
    if kind in (_NULL, _UNDEFINED):
        return None
    raise JSEvalError(f"the evaluation returned a value of type {kind}, which the host does not read")
