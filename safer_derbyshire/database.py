"""The database connection from DATABASE_URL: one PostgreSQL server, or the members of a
replicated cluster (Patroni), with every wait bounded so a member that stops answering costs
seconds, not the service. Settings only: nothing here opens a connection.

A cluster is named by its members, in libpq's multi-host form, and the connection goes to
whichever member accepts writes now:

    postgres://USER:PASSWORD@db1:5432,db2:5432,db3:5432/safer_derbyshire

target_session_attrs=read-write is added for more than one host, so after a failover the next
connection finds the new leader by itself; nothing needs a restart.
"""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured

MULTI_HOST_FORM = "postgres://USER:PASSWORD@HOST1:PORT1,HOST2:PORT2/DBNAME"


def bounded_waits(env: environ.Env) -> dict:
    """libpq options that bound every wait on a member (seconds unless named): how long to
    try one member before the next, how soon a silent peer is noticed on an open connection
    (TCP keepalives, and tcp_user_timeout for data sent but never acknowledged), and how long
    one statement may run."""
    statement_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
    idle_ms = env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=60_000)
    return {
        # libpq's least: a member whose address has gone silent costs 2 s per new connection.
        "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=2),
        "keepalives": 1,
        "keepalives_idle": env.int("DB_KEEPALIVES_IDLE", default=5),
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": env.int("DB_TCP_USER_TIMEOUT_MS", default=10_000),
        "options": (
            f"-c statement_timeout={statement_ms} -c idle_in_transaction_session_timeout={idle_ms}"
        ),
    }


def database(env: environ.Env, url: str) -> dict:
    """Django's DATABASES entry for `url`, with the waits bounded on PostgreSQL. A malformed
    multi-host URL is refused at start with the form it should take."""
    config = env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return config
    hosts, ports = _members(url)
    if len(hosts) > 1:
        config["HOST"], config["PORT"] = ",".join(hosts), ",".join(ports)
    options = {**bounded_waits(env), **config.get("OPTIONS", {})}
    if len(hosts) > 1:
        options.setdefault("target_session_attrs", "read-write")
    config["OPTIONS"] = options
    return config


def _members(url: str) -> tuple[list[str], list[str]]:
    """The hosts and ports of `url`, as libpq takes them: one port for all, or one for each.
    django-environ reads only the last member's port, and folds a bad one into the hosts."""
    netloc = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    if "," not in netloc:  # one server (or none: a socket from PGHOST): as django-environ read it
        return [netloc], []
    hosts, ports = [], []
    for member in netloc.split(","):
        host, _, port = member.rpartition(":") if ":" in member else (member, "", "")
        hosts.append(host.strip())
        ports.append(port.strip())
    problem = ""
    if any(not host for host in hosts):
        problem = f"an empty host among {len(hosts)}"
    elif any(port and not port.isdigit() for port in ports):
        problem = f"a port that is not a number ({','.join(p for p in ports if p)})"
    if problem:
        raise ImproperlyConfigured(f"DATABASE_URL has {problem}: write it as {MULTI_HOST_FORM}")
    given = [port for port in ports if port]
    if len(given) == len(hosts) or not given:
        return hosts, given
    if given == [ports[-1]]:  # host1,host2,host3:5432: one port for all
        return hosts, given
    raise ImproperlyConfigured(
        f"DATABASE_URL names {len(hosts)} hosts but {len(given)} ports: give one port for "
        f"all, or one for each host, as {MULTI_HOST_FORM}"
    )
