"""How the GUI keeps up with many client threads: the plots skip redraws while the event loop runs
late (RedrawPacer); the threads' own pace is backend.measuring.runner.hand_over_interval
(tests/test_runner.py)."""

from __future__ import annotations

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
