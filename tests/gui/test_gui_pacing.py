"""How the GUI keeps up with many client threads: the plots skip redraws while the event loop runs
late (RedrawPacer), and a run's threads together hand over a bounded number of batches a second."""

from __future__ import annotations

from qtapp.measuring.client_worker import LONGEST_HAND_OVER_S, hand_over_interval
from qtapp.window.plot_pages import LONGEST_WITHOUT_REDRAW_S, RedrawPacer


def test_ticks_on_time_always_redraw():
    pacer = RedrawPacer(0.02)
    assert all(pacer.may_redraw(0.02 * tick) for tick in range(100))
    assert pacer.skipped == 0


def test_late_ticks_skip_redraws_but_never_for_long():
    pacer = RedrawPacer(0.02)
    assert pacer.may_redraw(0.0)
    now, redraws = 0.0, [0.0]
    for _ in range(200):  # every tick 40 ms after the last one: the loop is behind
        now += 0.04
        if pacer.may_redraw(now):
            redraws.append(now)
    assert pacer.skipped > 100
    gaps = [later - earlier for earlier, later in zip(redraws, redraws[1:])]
    assert max(gaps) <= LONGEST_WITHOUT_REDRAW_S + 0.04 + 1e-9
    assert pacer.may_redraw(now + 0.02)  # back on time: redrawn at once


def test_batches_per_second_stay_bounded_as_threads_grow():
    assert hand_over_interval(1) == hand_over_interval(2)
    rates = [concurrency / hand_over_interval(concurrency) for concurrency in (2, 4, 8, 16)]
    assert max(rates) <= min(rates) * 1.001  # the same number of batches a second in total
    assert hand_over_interval(1000) == LONGEST_HAND_OVER_S
