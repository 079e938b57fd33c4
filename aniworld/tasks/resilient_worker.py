"""An RQ worker that outlives Redis outages instead of quitting.

RQ 2.12's loop quits on a Redis timeout, and any Redis error while it watches a running
job (its heartbeat every ``job_monitoring_interval``) ends the worker; under honcho that
stops every process. Redis is only a mailbox here: the truth about a download is its lease
in the database (services/execution.py), renewed by the work horse without Redis. So this
worker lets the work horse run on, waits for Redis with back-off, and registers itself
again when Redis comes back empty (the embedded Redis keeps nothing on disk), so the
"no worker is running" banner is right again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from redis.client import Pipeline
from rq import Queue, Worker, worker_registration
from rq.job import Job

logger = logging.getLogger(__name__)

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# Longest pause between two reconnection attempts: Redis back means working again (and
# shown in the banner) within a few seconds.
RETRY_MAX_SECONDS = 5.0
RETRY_FIRST_SECONDS = 0.5


class ResilientWorker(Worker):
    """RQ's forking worker whose Redis writes tolerate outages; see the module docstring."""

    max_connection_wait_time = RETRY_MAX_SECONDS
    _outage_since: float | None = None

    def dequeue_job_and_maintain_ttl(self, timeout: int | None,
                                     max_idle_time: int | None = None) -> tuple[Job, Queue] | None:
        """Wait for a job; a lost or timed-out connection waits for Redis, never quits."""
        while True:
            try:
                return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            except REDIS_DOWN as exc:
                self._wait_for_redis(exc)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run ``job`` in a work horse; Redis errors in RQ's bookkeeping are logged only."""
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as exc:
            # Before the fork (nothing ran: the scheduler re-dispatches the item from the
            # database) or after the horse ended (its outcome is already in the database).
            self._note_outage("job bookkeeping", exc)
            if self.horse_pid:
                # Never take a second job while a horse still runs.
                self.wait_for_horse()
                self._horse_pid = 0

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """Renew the worker key and its registration; restore both if Redis lost them."""
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
            worker_registration.register(self, pipeline)
            return
        try:
            with self.connection.pipeline() as pipe:
                super().heartbeat(timeout, pipe)
                worker_registration.register(self, pipe)
                # HSET answers 1 for a new field: the worker's hash was gone.
                key_was_lost = pipe.execute()[0] == 1
            if key_was_lost:
                self._restore_registration()
            self._note_recovery()
        except REDIS_DOWN as exc:
            self._note_outage("heartbeat", exc)

    def maintain_heartbeats(self, job: Job) -> None:
        """Renew worker and job keys while the horse works; an outage leaves the horse alone."""
        self._tolerate("job heartbeat", super().maintain_heartbeats, job)

    def set_current_job_working_time(self, current_job_working_time: float,
                                     pipeline: Pipeline | None = None) -> None:
        """Record how long the current job has run (skipped while Redis is away)."""
        if pipeline is not None:
            super().set_current_job_working_time(current_job_working_time, pipeline)
            return
        self._tolerate("working time", super().set_current_job_working_time,
                       current_job_working_time)

    def set_state(self, state: str, pipeline: Pipeline | None = None) -> None:
        """Record the worker's state (kept locally while Redis is away)."""
        if pipeline is not None:
            super().set_state(state, pipeline)
            return
        self._tolerate("state", super().set_state, state)

    def set_shutdown_requested_date(self) -> None:
        """Record a warm shutdown request; runs in a signal handler, so it must not raise."""
        self._tolerate("shutdown date", super().set_shutdown_requested_date)

    def check_for_suspension(self, burst: bool) -> None:
        """Honour ``rq suspend``; unknowable while Redis is away (the dequeue waits anyway)."""
        self._tolerate("suspension check", super().check_for_suspension, burst)

    def run_maintenance_tasks(self) -> None:
        """Clean RQ's registries; retried on the next round when Redis is away."""
        self._tolerate("maintenance", super().run_maintenance_tasks)

    def teardown(self) -> None:
        """Deregister on the way out; with Redis away the key expires by itself."""
        self._tolerate("deregistration", super().teardown)

    def _pubsub_exception_handler(self, exc: Exception, pubsub: Any, pubsub_thread: Any) -> None:
        # RQ's handler retries lost connections but lets a timeout end the command thread.
        if isinstance(exc, redis.exceptions.TimeoutError):
            exc = redis.exceptions.ConnectionError(str(exc))
        super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)

    def _tolerate(self, what: str, call: Callable[..., Any], *args: Any) -> None:
        try:
            call(*args)
        except REDIS_DOWN as exc:
            self._note_outage(what, exc)
            return
        self._note_recovery()

    def _wait_for_redis(self, exc: Exception) -> None:
        """Ping with back-off until Redis answers (or a stop is requested)."""
        self._note_outage("dequeue", exc)
        delay = RETRY_FIRST_SECONDS
        while not self._stop_requested:
            time.sleep(delay)
            try:
                self.connection.ping()
            except REDIS_DOWN:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            self._note_recovery()
            return

    def _restore_registration(self) -> None:
        """Write the worker's hash again (Redis restarted without its data)."""
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key, mapping={**self.serialize(), "state": self.get_state()})
            worker_registration.register(self, pipe)
            pipe.expire(self.key, self.worker_ttl + 60)
            pipe.execute()
        logger.warning("worker registration restored worker=%s: Redis had lost it", self.name)

    def _note_outage(self, what: str, exc: Exception) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            logger.warning("redis unreachable worker=%s during=%s error=%s; keeps running and "
                           "retries", self.name, what, exc)

    def _note_recovery(self) -> None:
        if self._outage_since is not None:
            logger.warning("redis reachable again worker=%s after=%.0fs", self.name,
                           time.monotonic() - self._outage_since)
            self._outage_since = None
