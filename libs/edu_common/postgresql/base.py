"""Django's PostgreSQL backend, checking a kept connection without a query.

With ``CONN_HEALTH_CHECKS``, Django asks whether a kept connection still
works before each request's first query; its PostgreSQL backend answers
by sending ``SELECT 1``, a round trip on every request. Here the answer
comes from the client's side of the socket. Between requests an idle
connection has nothing to read: when the server ends it (a restart, an
administrator, an idle timeout, a proxy cutting it), it sends an error and
closes, and the socket turns readable. So a connection is usable when
psycopg holds it open and idle and its socket has nothing waiting.

A server that vanishes without closing (a lost host) is not seen here;
the first query then fails, the request is answered 503, and Django drops
the connection as the request ends.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        # poll, not select: a busy process may hold descriptors past 1024.
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN)
        return not waiting.poll(0)
