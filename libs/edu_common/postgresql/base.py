"""Django's PostgreSQL backend, checking a kept connection without a query.

With ``CONN_HEALTH_CHECKS``, Django asks whether a kept connection still
works before each request's first query; its PostgreSQL backend answers
by sending ``SELECT 1``, a round trip on every request. Here the answer
comes from the client's side of the socket. Between requests an idle
connection has nothing to read: when the server ends it (a restart, an
administrator, an idle timeout, a proxy cutting it), it sends an error and
closes, and the socket turns readable. So a connection is usable when
psycopg holds it open and idle and its socket has nothing waiting.

A message the server sends unasked to an idle connection (a notice, a
changed setting after a reload) makes it readable too: that connection is
replaced, one connect more, and no request fails. A server that vanishes
without closing (a lost host) is not seen here; the TCP settings of
``edu_common.conf`` bound how long a query then waits before it fails.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    """The PostgreSQL backend, its health check answered from the socket."""

    def is_usable(self):
        """Tell whether the kept connection is open, idle and unspoken to."""
        connection = self.connection
        # psycopg marks a connection it found broken as closed too.
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        # poll, not select: a busy process may hold descriptors past 1024.
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        return not poller.poll(0)
