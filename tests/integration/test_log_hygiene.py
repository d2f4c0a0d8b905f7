"""Personal data stays out of logs: database errors never carry their bound parameters (phones, names, texts)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator

from campaigns.models import Contact
from gateway.app import create_app
from tests.fault_harness import (
    PROVIDER_TIMEOUT,
    PUBLIC,
    counts,
    fault_settings,
    launch_run,
    phone,
    start_worker,
    tick_once,
    wait_until,
)
from tests.provider_standin import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, ProviderStandIn, seeded_scripts
from tests.servers import stop_group
from workers.composition import Services

PHONE = "+8613912345678"
UNMASKED_PHONE = re.compile(r"\+\d{7,}|(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])")  # E.164 or a Chinese mobile, whole


def test_a_database_error_hides_the_phone_and_name_it_was_given(engine, session_factory):
    row = {"name": "卓玛草", "phone": PHONE, "grid_id": 10**9, "role": "household_head", "language": "bo"}

    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(insert(Contact), row)

    message = str(caught.value)
    assert "hide_parameters" in message
    assert PHONE not in message and "卓玛草" not in message and "13912345678" not in message


@contextmanager
def refused(engine, table: str, change: str) -> Iterator[None]:
    """A database fault: every `change` ("INSERT", "UPDATE OF column") of `table` fails (a trigger) in the block."""
    name = f"refuse_{table}"
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$ "
                "LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE {change} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE {change} ON {table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"DROP TRIGGER {name} ON {table}")
                connection.exec_driver_sql(f"DROP FUNCTION {name}()")
            else:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")


def _post_incoming_sms(app, sender: str, body: str) -> int:
    form = {"MessageSid": "SM" + "7" * 32, "AccountSid": ACCOUNT_SID, "From": sender, "To": FROM_NUMBER, "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + "/twilio/sms", form)
    return app.test_client().post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature}).status_code


def test_the_logs_of_a_faulted_run_show_no_phone_number_and_no_sql_parameters(
    session_factory, engine, tree, settings, sends, tmp_path, caplog
):
    recipients = 40
    run_id = launch_run(session_factory, tree, recipients)
    numbers = [phone(n) for n in range(recipients)]
    worker_log = tmp_path / "worker.log"
    caplog.set_level(logging.DEBUG)
    with ProviderStandIn(client_timeout=PROVIDER_TIMEOUT) as standin:
        standin.scripts = seeded_scripts(numbers, seed=12, fault_rate=0.3)
        standin.scripts[numbers[0]] = ["21211"]  # its error quotes the number; recording it on the contact fails
        configured = fault_settings(settings, standin, send_batch_size=10)
        app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
        with (
            refused(engine, "contacts", "UPDATE OF phone_problem"),
            refused(engine, "inbound_messages", "INSERT"),
        ):
            tick_once(session_factory, configured, sends.connection)
            worker = start_worker(configured, worker_log)
            try:
                wait_until(lambda: "injected fault" in worker_log.read_text(), 60, "the database fault in the worker")
                wait_until(lambda: counts(session_factory, run_id).get("sent", 0) > 0, 60, "some rows sent")
            finally:
                stop_group(worker)
            assert _post_incoming_sms(app, numbers[1], f"收到 卓玛草 {numbers[2]}") == 500

    logs = worker_log.read_text() + "\n" + caplog.text
    assert "injected fault" in worker_log.read_text() and "Exception on /twilio/sms" in caplog.text
    assert "[parameters:" not in logs and "卓玛草" not in logs
    assert not [number for number in numbers if number[3:] in logs], "an unmasked phone number in the logs"
    assert not UNMASKED_PHONE.findall(logs)
