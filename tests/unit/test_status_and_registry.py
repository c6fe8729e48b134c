"""The provider registry, the one status vocabulary, and the providers' pure paging and cancel
helpers (no sockets: the HTTP behaviour is in tests/integration/test_hub_listing.py)."""

from __future__ import annotations

import pytest

from schemadrive.exceptions import ConfigurationError, HubError, JobNotFound
from schemadrive.hub.providers import GMICLOUD, OXEN, PROVIDERS, get_provider, provider_names
from schemadrive.hub.providers.gmicloud import next_list_query
from schemadrive.hub.status import (
    STATUS_SYNONYMS,
    STATUS_WORDS,
    JobState,
    Status,
    parse_status,
    status_choices,
)

# -- one registry ----------------------------------------------------------------------------


def test_every_registered_name_gives_its_provider() -> None:
    assert provider_names() == ("oxen", "gmicloud")
    for name in provider_names():
        assert get_provider(name).name == name


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        PROVIDERS["other"] = OXEN  # type: ignore[index]


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="known: gmicloud, oxen"):
        get_provider("replicate")


# -- one vocabulary, the hubs' words as synonyms ---------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("running", Status.RUNNING),
        ("processing", Status.RUNNING),
        (" Processing ", Status.RUNNING),
        ("success", Status.SUCCEEDED),
        ("SUCCEEDED", Status.SUCCEEDED),
        ("dispatched", Status.QUEUED),
        ("canceled", Status.CANCELLED),
        (Status.FAILED, Status.FAILED),
    ],
)
def test_parse_status_accepts_our_words_and_the_hubs(word: str | Status, status: Status) -> None:
    assert parse_status(word) is status


@pytest.mark.parametrize("word", ["done", "", "unknown", Status.UNKNOWN, None, 3])
def test_parse_status_refuses_other_words_naming_the_accepted_ones(word: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_status(word)  # type: ignore[arg-type]
    assert "queued, running, succeeded, failed, cancelled" in str(caught.value)
    assert "processing" in str(caught.value)


def test_every_hub_word_means_the_same_through_the_vocabulary() -> None:
    """A provider's table and the vocabulary's synonyms must agree, or `--status processing`
    would list something other than what `processing` means on that hub."""
    for provider in PROVIDERS.values():
        for word, status in provider.status_words.items():
            assert parse_status(word) is status, (provider.name, word)


@pytest.mark.parametrize("provider", [OXEN, GMICLOUD], ids=lambda p: p.name)
def test_query_word_is_the_hubs_word_for_any_spelling(provider) -> None:  # type: ignore[no-untyped-def]
    for word in status_choices():
        hub_word = provider.query_word(word)
        assert provider.status_words[hub_word] is parse_status(word)
    assert OXEN.query_word("running") == "processing"
    assert GMICLOUD.query_word("succeeded") == "success"
    assert GMICLOUD.query_word(Status.QUEUED) == "queued"


def test_status_choices_are_ours_first_then_the_synonyms() -> None:
    assert status_choices()[:5] == STATUS_WORDS
    assert set(status_choices()) == set(STATUS_WORDS) | set(STATUS_SYNONYMS)


def test_status_word_shows_ours_and_the_hubs_only_when_unknown() -> None:
    assert JobState("g", Status.RUNNING, raw_status="processing").status_word == "running"
    assert JobState("g", Status.SUCCEEDED, raw_status="success").word == "success"
    assert JobState("g", Status.UNKNOWN, raw_status="finished").status_word == "finished"
    assert JobState("g", Status.UNKNOWN).status_word == "unknown"


# -- GMI's paged list --------------------------------------------------------------------------


def test_gmi_asks_for_the_next_page_until_total_rows_are_read() -> None:
    first = {"page_size": "2", "model_id": "m"}
    second = next_list_query(first, {"requests": [{}, {}], "total": 5}, 2)
    assert second == {"page_size": "2", "model_id": "m", "page": "2"}
    assert second is not None
    assert next_list_query(second, {"total": 5}, 4) == {**second, "page": "3"}
    assert next_list_query({**second, "page": "3"}, {"total": 5}, 5) is None


@pytest.mark.parametrize("reply", [{}, {"total": "5"}, {"total": True}, [], None, {"total": 2}])
def test_gmi_stops_when_the_total_is_missing_odd_or_reached(reply: object) -> None:
    assert next_list_query({"page_size": "2"}, reply, 2) is None


def test_gmi_never_asks_past_the_page_bound() -> None:
    assert next_list_query({"page": "1000"}, {"total": 10**9}, 5) is None


# -- a 404 from the cancel endpoint ----------------------------------------------------------

URL = "http://hub.test/cancel"


def test_a_documented_cancel_404_is_job_not_found() -> None:
    error = OXEN.cancel_not_found("g1", url=URL, state=None)
    assert isinstance(error, JobNotFound) and str(error) == "no job with generation id 'g1'"


def test_an_undocumented_cancel_404_says_what_is_known() -> None:
    queued = JobState("g1", Status.QUEUED, raw_status="queued")
    error = GMICLOUD.cancel_not_found("g1", url=URL, state=queued)
    assert type(error) is HubError and error.status == 404
    assert "documents no cancel endpoint" in str(error)
    assert "still exists (status: queued)" in str(error)
    gone = GMICLOUD.cancel_not_found("g1", url=URL, state=None)
    assert isinstance(gone, JobNotFound) and "knows no job" in str(gone)
