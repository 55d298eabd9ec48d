"""What `moderation serve` counts, in Prometheus' text format (``GET /metrics``).

Counters live in the process that serves the request: with ``--workers N`` each worker counts
its own requests (the ``pid`` label tells them apart; Prometheus sums them).
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections import Counter

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()  # (endpoint, status)
        self.latency: dict[str, list[int]] = {}  # endpoint -> count per bucket (+Inf last)
        self.latency_sum: dict[str, float] = {}  # endpoint -> seconds
        self.comments = 0
        self.flags: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()  # label -> decisions recorded
        # (language, outcome) -> comments: scored, english (by the English model), rejected,
        # refused (Perspective's 400), not_scored (/v1/score)
        self.languages: Counter[tuple[str, str]] = Counter()
        self.reloads = 0
        self.pid = os.getpid()

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests[endpoint, status] += 1
        counts = self.latency.get(endpoint)
        if counts is None:
            counts = self.latency[endpoint] = [0] * (len(BUCKETS) + 1)
        counts[bisect_left(BUCKETS, seconds)] += 1
        self.latency_sum[endpoint] = self.latency_sum.get(endpoint, 0.0) + seconds

    def scored(self, records: int, flags: list[str]) -> None:
        self.comments += records
        self.flags.update(flags)

    def language(self, language: str, outcome: str) -> None:
        self.languages[language, outcome] += 1

    def render(self, model_id: str, models: dict[str, str] | None = None) -> str:
        """The counters; ``model_id`` is the main model, ``models`` the model per language."""
        pid = f'pid="{self.pid}"'
        lines = [
            "# HELP moderation_requests_total HTTP requests by endpoint and status.",
            "# TYPE moderation_requests_total counter",
        ]
        for (endpoint, status), n in sorted(self.requests.items()):
            lines.append(
                f'moderation_requests_total{{{pid},endpoint="{endpoint}",status="{status}"}} {n}'
            )
        lines += [
            "# HELP moderation_request_seconds Time to answer a request.",
            "# TYPE moderation_request_seconds histogram",
        ]
        for endpoint, counts in sorted(self.latency.items()):
            running = 0
            for bound, n in zip([*map(str, BUCKETS), "+Inf"], counts):
                running += n
                lines.append(
                    f'moderation_request_seconds_bucket{{{pid},endpoint="{endpoint}",'
                    f'le="{bound}"}} {running}'
                )
            lines.append(
                f'moderation_request_seconds_sum{{{pid},endpoint="{endpoint}"}} '
                f"{self.latency_sum[endpoint]:.6f}"
            )
            lines.append(
                f'moderation_request_seconds_count{{{pid},endpoint="{endpoint}"}} {running}'
            )
        lines += [
            "# HELP moderation_comments_scored_total Comments scored.",
            "# TYPE moderation_comments_scored_total counter",
            f"moderation_comments_scored_total{{{pid}}} {self.comments}",
            "# HELP moderation_flags_total Flags raised, by label.",
            "# TYPE moderation_flags_total counter",
            *(
                f'moderation_flags_total{{{pid},label="{label}"}} {n}'
                for label, n in sorted(self.flags.items())
            ),
            "# HELP moderation_language_comments_total Comments by language and outcome (scored, "
            "english: by the English model, rejected, refused, not_scored).",
            "# TYPE moderation_language_comments_total counter",
            *(
                f'moderation_language_comments_total{{{pid},language="{_label(language)}",'
                f'outcome="{outcome}"}} {n}'
                for (language, outcome), n in sorted(self.languages.items())
            ),
            "# HELP moderation_decisions_total Moderators' decisions recorded, by label.",
            "# TYPE moderation_decisions_total counter",
            *(
                f'moderation_decisions_total{{{pid},label="{label}"}} {n}'
                for label, n in sorted(self.decisions.items())
            ),
            "# HELP moderation_model_reloads_total Times a new active model was loaded.",
            "# TYPE moderation_model_reloads_total counter",
            f"moderation_model_reloads_total{{{pid}}} {self.reloads}",
            "# HELP moderation_model_info The model that scores (value 1).",
            "# TYPE moderation_model_info gauge",
            f'moderation_model_info{{{pid},model="{model_id}"}} 1',
            "# HELP moderation_language_model_info The model that scores each language (value 1).",
            "# TYPE moderation_language_model_info gauge",
            *(
                f'moderation_language_model_info{{{pid},language="{code}",model="{model}"}} 1'
                for code, model in sorted((models or {}).items())
            ),
        ]
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    """A value as a Prometheus label (a requested language code is the client's text)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
