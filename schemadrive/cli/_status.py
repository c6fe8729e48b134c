"""One vocabulary for job statuses on the command line, in and out: ``queued``, ``running``,
``succeeded``, ``failed``, ``cancelled``. The hubs' own words (``processing``, ``success``...)
are accepted as synonyms and shown in ours."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from ..hub.status import JobState

__all__ = ["STATUSES", "our_word", "shown_status", "status_word"]

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


def status_word(text: str) -> str:
    """An argparse type: one of STATUSES, or a hub's word for one (``processing`` is
    ``running``, ``success`` is ``succeeded``); returns ours."""
    import argparse

    from ..hub.providers import PROVIDERS

    word = text.strip().lower()
    if word in STATUSES:
        return word
    for provider in PROVIDERS.values():
        status = provider.status_words.get(word)
        if status is not None and str(status) in STATUSES:
            return str(status)
    raise argparse.ArgumentTypeError(f"unknown status {text!r} (choose from {', '.join(STATUSES)})")


def shown_status(state: JobState) -> str:
    """The status in the one vocabulary (STATUSES); the hub's word only when we have none."""
    return (
        state.raw_status
        if str(state.status) == "unknown" and state.raw_status
        else str(state.status)
    )


def our_word(word: str | None) -> str | None:
    """A hub's status word in the one vocabulary (``processing`` -> ``running``); a word no
    hub's table knows is kept as the hub said it."""
    import argparse

    if not word:
        return None
    try:
        return status_word(word)
    except argparse.ArgumentTypeError:
        return word
