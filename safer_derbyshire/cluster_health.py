"""Which database member leads and whether a synchronous standby is attached, from Patroni's
own REST API (GET /cluster on any member), for /healthz?cluster on the triage deployment.

Read from Patroni rather than from PostgreSQL: no database privilege is needed (the triage
login may not read pg_stat_replication), and it answers even while the database is switching.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings


@dataclass(frozen=True)
class ClusterHealth:
    leader: str | None
    sync_standbys: tuple[str, ...]
    members: tuple[tuple[str, str, str], ...]  # name, role, state
    answered_by: str | None

    @property
    def healthy(self) -> bool:
        return self.leader is not None and bool(self.sync_standbys)

    def describe(self) -> str:
        if self.answered_by is None:
            return "no Patroni member answered"
        lines = [
            f"leader: {self.leader or 'none'}",
            f"synchronous standby: {', '.join(self.sync_standbys) or 'none attached'}",
            *(f"member {name}: {role}, {state}" for name, role, state in self.members),
        ]
        return "\n".join(lines)


def cluster_health(urls: list[str] | None = None, timeout: float = 2.0) -> ClusterHealth:
    """Ask each configured Patroni REST address in turn; the first that answers decides."""
    for url in urls if urls is not None else settings.PATRONI_REST_URLS:
        try:
            found = requests.get(f"{url.rstrip('/')}/cluster", timeout=timeout).json()
        except (requests.RequestException, ValueError):
            continue
        members = [m for m in found.get("members", []) if isinstance(m, dict)]
        return ClusterHealth(
            leader=next(
                (
                    m.get("name")
                    for m in members
                    if m.get("role") == "leader" and m.get("state") == "running"
                ),
                None,
            ),
            sync_standbys=tuple(
                m.get("name", "")
                for m in members
                if m.get("role") == "sync_standby" and m.get("state") in ("streaming", "running")
            ),
            members=tuple(
                (str(m.get("name")), str(m.get("role")), str(m.get("state"))) for m in members
            ),
            answered_by=url,
        )
    return ClusterHealth(None, (), (), None)
