"""KannelChannel: the SMS port over Kannel's smsbox `sendsms` HTTP interface (a GSM modem or an SMPP link).

Each send is one GET of `sendsms` with the sendsms-user's credentials, `to`, `from`, the text in UTF-8
(`charset=UTF-8`; `coding=2` whenever the text is not GSM-7, so Chinese and Tibetan travel as UCS-2), `smsc` to
pick a route, `dlr-mask` and a `dlr-url` that carries our outbox row id, the DLR type (`%d`) and the shared secret,
so every delivery report binds to its row. Kannel's answers are classified by `classify_sendsms_answer`; transport
errors are `retry` when the request certainly never reached Kannel (connection refused, connect timeout) and
`ambiguous` otherwise (read timeout, connection dropped after the request went out).

Kannel cannot be asked whether it has a message, so `find_sms` always answers "cannot tell": an ambiguous send is
never resent blindly, it becomes `unknown` for staff unless a delivery report settles it first (any report, even a
late one, moves an `unknown` row on).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from urllib.parse import quote, urlencode

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from campaigns.channels.base import BaseSmsChannel, LookupResult, OutgoingSms, SendResult
from campaigns.channels.twilio.errors import parse_retry_after
from campaigns.common.sms_segments import is_gsm7

log = logging.getLogger(__name__)

DLR_PATH = "/kannel/dlr"
UCS2 = "2"
ACCEPTED_PREFIXES = ("0:", "3:")  # "0: Accepted for delivery", "3: Queued for later delivery"


def classify_sendsms_answer(status: int, body: str, retry_after: str | None = None) -> SendResult:
    """Kannel's answer to one sendsms request as a SendResult; the reason Kannel gave is kept as the message.

    202 "0: Accepted for delivery" and "3: Queued for later delivery" (stored by bearerbox until an SMSC takes it)
    are accepted. 503 "Temporal failure, try again later." is Kannel saying it did not take the message: retry.
    403 (authorization failed, "Not routable") is a configuration error shown on the run; other 4xx fail the
    message, flagging the number when Kannel refused the receiver. 429 (a proxy in front of Kannel) slows every
    sender down; any other 5xx may have passed the message on, so it is ambiguous.
    """
    reason = " ".join((body or "").split())[:300] or f"HTTP {status}"
    code = f"kannel-{status}"
    if 200 <= status < 300:
        if reason.startswith(ACCEPTED_PREFIXES) or status == 200:
            return SendResult("accepted")
        return SendResult("ambiguous", error_code=code, error_message=reason)
    if status == 429:
        return SendResult(
            "retry", error_code=code, error_message=reason, retry_after=parse_retry_after(retry_after), throttled=True
        )
    if status == 503:
        return SendResult("retry", error_code=code, error_message=reason)
    if status in (401, 403):
        return SendResult("failed", error_code=code, error_message=reason, configuration_error=True)
    if 400 <= status < 500:
        lowered = reason.lower()
        refused_number = "receiver" in lowered or "number" in lowered
        return SendResult("failed", error_code=code, error_message=reason, bad_number=refused_number)
    return SendResult("ambiguous", error_code=code, error_message=reason)


class KannelChannel(BaseSmsChannel):
    """An SMS channel that hands messages to Kannel's smsbox; safe to share between threads (one HTTP session
    per thread, keep-alive), so `send_many` sends from a pool of threads."""

    name = "kannel"

    def __init__(
        self,
        sendsms_url: str,
        username: str,
        password: str,
        *,
        sender: str | None = None,
        smsc: str | None = None,
        dlr_url: str | None = None,
        dlr_mask: int = 31,
        secret: str | None = None,
        timeout: float = 15.0,
    ):
        if timeout <= 0:
            raise ValueError("the provider timeout must be positive")
        self.sendsms_url = sendsms_url
        self.username = username
        self.password = password
        self.sender = sender
        self.smsc = smsc
        self.dlr_url = dlr_url
        self.dlr_mask = dlr_mask
        self.secret = secret
        self.timeout = timeout
        self._local = threading.local()

    def sendsms_parameters(self, message: OutgoingSms) -> dict[str, str]:
        """The query of the sendsms request for `message` (credentials included)."""
        parameters = {
            "username": self.username,
            "password": self.password,
            "to": message.to,
            "text": message.body,
            "charset": "UTF-8",
        }
        if not is_gsm7(message.body):
            parameters["coding"] = UCS2
        if self.sender:
            parameters["from"] = self.sender
        if self.smsc:
            parameters["smsc"] = self.smsc
        if self.dlr_url and self.dlr_mask:
            parameters["dlr-mask"] = str(self.dlr_mask)
            parameters["dlr-url"] = self.report_url(message.outbox_id)
        return parameters

    def report_url(self, outbox_id: int) -> str:
        """The dlr-url for one row: Kannel replaces %d (the DLR type), %A (the SMSC's answer) and %T (its time)."""
        query = {"o": str(outbox_id)}
        if self.secret:
            query["s"] = self.secret
        # Kannel's escape codes must reach Kannel unencoded, so they are appended after the encoded part.
        return f"{self.dlr_url}?{urlencode(query, quote_via=quote)}&type=%d&answer=%A&at=%T"

    def send_sms(self, message: OutgoingSms) -> SendResult:
        try:
            response = self._session().get(
                self.sendsms_url, params=self.sendsms_parameters(message), timeout=self.timeout
            )
        except requests.RequestException as exc:
            result = _classify_transport_error(exc)
        else:
            result = classify_sendsms_answer(response.status_code, response.text, response.headers.get("Retry-After"))
        if result.outcome != "accepted":
            log.info("kannel send of outbox %s: %s %s", message.outbox_id, result.outcome, result.error_message)
        return result

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        """Kannel keeps no message list one could ask, so this cannot tell (None): see the module docstring."""
        return LookupResult(found=None)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session


def _classify_transport_error(exc: requests.RequestException) -> SendResult:
    """The error's kind only: requests' own text repeats the URL, whose query holds the password and the phone."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    cause = type(reason).__name__ if isinstance(reason, Exception) else type(exc).__name__
    if isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError | ConnectTimeoutError):
        return SendResult("retry", error_code="connect_error", error_message=f"could not connect to Kannel ({cause})")
    if isinstance(exc, requests.Timeout):
        return SendResult("ambiguous", error_code="timeout", error_message="Kannel did not answer in time")
    return SendResult("ambiguous", error_code="transport_error", error_message=f"connection to Kannel lost ({cause})")
