"""The PostgreSQL backend's health check, which sends no query."""

import pytest
from django.db import connections, transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connection():
    """The default connection, closed afterwards so the next test opens anew."""
    default = connections["default"]
    yield default
    default.close()


def backend_pid(connection):
    """Return the server process serving this connection's session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def from_another_session(connection, query, params):
    """Run ``query`` on a second connection to the same database."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchone()[0]
    finally:
        other.close()


def ends_own_session_from_elsewhere(connection):
    """Have another session end this connection's, as a restart would."""
    pid = backend_pid(connection)
    from_another_session(connection, "SELECT pg_terminate_backend(%s, 5000)", [pid])


def test_the_backend_is_the_platforms(connection):
    assert connection.vendor == "postgresql"
    assert type(connection).__module__ == "edu_common.postgresql.base"


def test_an_open_idle_connection_is_usable(connection):
    connection.ensure_connection()

    assert connection.is_usable()


def test_the_check_sends_the_server_nothing(connection):
    """The server's last statement from this session is still the test's own."""
    pid = backend_pid(connection)

    assert connection.is_usable()

    last_statement = from_another_session(
        connection, "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
    )
    assert last_statement == "SELECT pg_backend_pid()"


def test_a_lost_host_is_given_up_on_in_bounded_time(connection):
    connection.ensure_connection()
    parameters = connection.connection.info.get_parameters()

    assert parameters["tcp_user_timeout"] == "10000"
    assert parameters["keepalives"] == "1"


def test_a_connection_the_server_ended_is_not_usable(connection):
    connection.ensure_connection()
    ends_own_session_from_elsewhere(connection)

    assert not connection.is_usable()


def test_a_connection_inside_a_transaction_is_not_usable(connection):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert not connection.is_usable()


def test_a_closed_connection_is_not_usable(connection):
    connection.ensure_connection()
    connection.connection.close()

    assert not connection.is_usable()


def test_the_health_check_replaces_an_ended_connection_before_a_query(connection):
    connection.ensure_connection()
    ended = connection.connection
    ends_own_session_from_elsewhere(connection)
    # As at the start of a request: the next query checks first.
    connection.close_if_unusable_or_obsolete()

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not ended
