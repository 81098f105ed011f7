"""Which environment `convo serve` starts itself again with, to run on the allocator asked for."""

from __future__ import annotations

from api.allocator import JEMALLOC_CONF, allocator_environment


def _found() -> str:
    return "libjemalloc.so.2"


def test_jemalloc_is_preloaded_and_python_sends_its_small_objects_to_it() -> None:
    environment = allocator_environment("jemalloc", {"PATH": "/usr/bin"}, find=_found)
    assert environment == {
        "PATH": "/usr/bin",
        "LD_PRELOAD": "libjemalloc.so.2",
        "PYTHONMALLOC": "malloc",
        "MALLOC_CONF": JEMALLOC_CONF,
    }


def test_what_is_preloaded_already_stays_and_an_operators_tuning_wins() -> None:
    environment = allocator_environment(
        "jemalloc", {"LD_PRELOAD": "libfaketime.so.1", "MALLOC_CONF": "narenas:2"}, find=_found
    )
    assert environment is not None
    assert environment["LD_PRELOAD"] == "libfaketime.so.1 libjemalloc.so.2"
    assert environment["MALLOC_CONF"] == "narenas:2"


def test_a_process_started_on_it_is_not_started_again() -> None:
    # Also where the loader refused the library: starting again would never end.
    for preloaded in ("libjemalloc.so.2", "libfaketime.so.1:libjemalloc.so.2"):
        assert allocator_environment("jemalloc", {"LD_PRELOAD": preloaded}, find=_found) is None


def test_pythons_own_allocator_or_a_missing_library_needs_no_new_start() -> None:
    assert allocator_environment("python", {}, find=_found) is None
    assert allocator_environment("jemalloc", {}, find=lambda: None) is None
