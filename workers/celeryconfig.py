"""Every Celery setting of the product, each with the reason it has this value.

Values that an operator tunes come from :mod:`miner.config` (``MINER_*`` variables), so that the
product has one place that reads the environment and ``miner settings`` lists them.
"""

from __future__ import annotations

from kombu import Exchange
from kombu import Queue as KombuQueue

from miner.broker import restore_interval, visibility_timeout
from miner.config import get_settings
from miner.tasknames import Queue, Task

_s = get_settings()

# Where messages wait. Redis by default: it also holds the per-host rate limit the workers share.
broker_url = _s.broker_url or "redis://127.0.0.1:6379/0"
# Retry connecting at start-up instead of crashing when the broker comes up after the worker.
broker_connection_retry_on_startup = True

# No result backend: the outcome of every task is in the store (documents, analyses, dead letters),
# which is also what a waiting `miner run` polls. Results in Redis would be a second, partial truth.
result_backend = _s.result_backend
task_ignore_result = True

# JSON only: a pickle message from anyone who can write to the broker would be code execution.
task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]

# Acknowledge a message only after the task finished, so that a worker that dies mid-task leaves the
# message to be delivered again. Safe because every step is idempotent (docs/reliability.md). A task
# that fails is acknowledged, but it never fails silently: it has retried (a new message) or recorded
# its dead letter first, and when it could do neither the store's frontier still says the work waits,
# which the reconciler (beat) sends again.
task_acks_late = True
# ... and when the pool child running it is killed (OOM killer, SIGKILL), requeue the message rather
# than acknowledge it as failed.
task_reject_on_worker_lost = True
# If the connection to the broker drops, the unacknowledged message will be redelivered; stop the
# running copy so the same work does not run twice for long.
worker_cancel_long_running_tasks_on_connection_loss = True

# Reserve one message per pool process at a time: a worker busy with a 200-page PDF does not sit on
# messages other workers could run, and a dead worker strands at most one message per process.
worker_prefetch_multiplier = 1

# Soft limit: the task gets SoftTimeLimitExceeded and records a dead letter; hard limit: the child is
# killed (and the message requeued, above). Bounded, so that the visibility timeout below -- the time
# a dead worker's messages wait -- can be minutes, not an hour; extraction has its own, shorter limit.
task_soft_time_limit = _s.task_soft_time_limit
task_time_limit = _s.task_time_limit

# Redis redelivers an unacknowledged message after this many seconds: the recovery time after a killed
# worker. It must be longer than the hard time limit plus the longest retry countdown (a delayed retry
# waits unacknowledged in its worker), or a task still running would be handed to a second worker;
# miner.broker derives it, and `miner run` waits at least this long before it calls workers stalled.
_visibility = visibility_timeout(_s)
broker_transport_options = {
    "visibility_timeout": _visibility,
    # How often a live worker sweeps for messages whose worker died (kombu's default works out at one
    # sweep per 100 s): a tenth of the visibility timeout, at most every 10 s, one scan per sweep.
    "unacked_restore_interval": restore_interval(_s),
    "unacked_restore_throttle": 1,
    # A sweep holds a lock in Redis; if its worker dies during the sweep, the lock blocks everyone's
    # sweeps until it expires (kombu's default: 300 s). No longer than the visibility timeout.
    "unacked_mutex_expire": min(300, _visibility),
}

# Two queues: fetching is network-bound and polite (slow, many in parallel), analysing is CPU-bound.
# Separate queues let an operator run e.g. `-Q fetch -c 16` and `-Q analyse -c 2` on different machines.
# Each queue has its own direct exchange and routing key: without them Celery binds every queue to the
# default queue's exchange and key, and a message for one queue would be copied into both.
task_queues = tuple(KombuQueue(str(q), Exchange(str(q), type="direct"), routing_key=str(q)) for q in Queue)
task_default_queue = str(Queue.FETCH)
task_routes = {t.celery_name: {"queue": str(t.queue)} for t in Task}

# A pool process loads the language models, lexicons and classifier when it starts (workers/tasks.py);
# Celery's default of 4 s for a new child to report alive is too short for that on a busy machine.
worker_proc_alive_timeout = 120

# Restart a pool child after this many tasks: bounds slow leaks of long-lived NLP and PDF libraries,
# while keeping the cost of loading the language models rare.
worker_max_tasks_per_child = 500

# Report task-received/started events for `celery events` and monitoring tools.
worker_send_task_events = True
task_send_sent_event = True

# Beat: one crawl per source per cadence. The scheduler builds the entries from the source registry
# when beat starts (workers/schedule.py), so that a worker never depends on the registry files.
beat_scheduler = "workers.schedule:RegistryScheduler"
timezone = "UTC"
enable_utc = True
