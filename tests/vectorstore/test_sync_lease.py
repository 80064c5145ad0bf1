"""The sync lease (vectorstore/sync_lease.py) on an embedded store and on a Chroma server: one
holder at a time, kept by renewing, given up by releasing or by running out, and taken by one
of several claimants racing for it (processes racing: tests/test_sync_processes.py)."""

from __future__ import annotations

import threading
import time

import pytest

from vectorstore.sync_lease import LeaseKeeper, SyncLease

pytestmark = pytest.mark.slow


@pytest.fixture
def state(make_app, backend):
    app = make_app(**backend)  # held: its store's client closes when it is collected
    yield app.store.sync_state
    app.close()


def test_one_holder_at_a_time_until_it_releases(state):
    first, second = SyncLease(state, "first", 30), SyncLease(state, "second", 30)
    assert first.try_take() and first.held
    assert not second.try_take() and not second.held
    assert first.try_take()  # taking it again is keeping it
    current = second.current()
    assert (current.holder, current.about, current.term) == (first.holder, "first", 1)
    first.release()
    assert not first.held
    assert second.try_take() and second.current().term == 2  # at once, not after 30 s


def test_a_holder_that_stops_renewing_loses_the_lease_when_it_runs_out(state):
    old, new = SyncLease(state, "old", 1.2), SyncLease(state, "new", 1.2)
    assert old.try_take()
    time.sleep(0.5)
    assert old.renew() and not new.try_take()  # renewed: still its
    time.sleep(0.95)
    # Its own clock stops it before the lease runs out for anyone else (ttl - margin).
    assert not old.held
    time.sleep(0.4)
    assert new.try_take()
    assert not old.renew() and not old.held  # it finds the later term and lets go
    old.release()  # changes nothing: the term is not its own
    assert new.current().holder == new.holder and new.current().expires_at > time.time()


def test_claimants_racing_for_a_free_lease_never_both_win(state):
    leases = [SyncLease(state, f"racer {i}", 30) for i in range(8)]
    start = threading.Barrier(len(leases))
    won: list[SyncLease] = []

    def claim(lease: SyncLease) -> None:
        start.wait()
        if lease.try_take():
            won.append(lease)

    threads = [threading.Thread(target=claim, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert SyncLease(state, "reader").current().holder == won[0].holder


def test_the_keeper_renews_while_held_and_releases_with_the_last_hold(state):
    keeper = LeaseKeeper(SyncLease(state, "keeper", 1.5))
    other = SyncLease(state, "other", 1.5)
    assert keeper.acquire() and keeper.acquire()  # the scheduler and a one-off pass
    time.sleep(2.0)  # past the ttl: renewed in the background meanwhile
    assert keeper.held and not other.try_take()
    keeper.release()
    assert keeper.held and not other.try_take()
    keeper.release()
    assert not keeper.held and other.try_take()
    assert not keeper.acquire()  # now the other's
