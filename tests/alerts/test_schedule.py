"""Beat drives the alerts: the sweep, the daily and weekly digests and the weekly report are entries
of the schedule, each naming a task the workers register."""

from __future__ import annotations

from miner.tasknames import Task
from workers.app import app
from workers.schedule import schedule_for


def test_beat_sends_the_sweep_the_digests_and_the_weekly_report() -> None:
    sched = schedule_for([], reconcile_interval=30.0)
    app.loader.import_default_modules()
    assert sched["alerts:sweep"]["task"] == Task.SWEEP_ALERTS.celery_name
    assert sched["alerts:sweep"]["schedule"] == 30.0 and sched["alerts:sweep"]["options"]["expires"] == 30.0
    daily, weekly = sched["alerts:digest-daily"], sched["alerts:digest-weekly"]
    assert daily["args"] == ("daily",) and weekly["args"] == ("weekly",)
    assert len(daily["schedule"].hour) == 1 and len(daily["schedule"].day_of_week) == 7
    assert len(weekly["schedule"].day_of_week) == 1
    assert sched["alerts:report-weekly"]["task"] == Task.SEND_REPORTS.celery_name
    assert {e["task"] for e in sched.values()} <= set(app.tasks)
