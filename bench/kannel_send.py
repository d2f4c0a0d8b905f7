"""How fast KannelChannel hands messages to the real Kannel (bearerbox + smsbox) with fakesmsc as the SMSC.

A GSM modem sends about one SMS a second and an SMPP account tens, so Gridcast's side must never be the limit: this
sends N Chinese messages (UCS-2) from T threads through `KannelChannel.send_sms`, without delivery reports, and
reports the rate at which Kannel accepted them and how many reached the fake SMSC.

    python bench/kannel_send.py [--messages 2000] [--threads 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaigns.channels.base import OutgoingSms
from campaigns.channels.kannel.channel import KannelChannel
from tests.kannel_harness import PASSWORD, USERNAME, FakeSmsc, Kannel, wait_until


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        kannel = Kannel(Path(directory), "http://127.0.0.1:9", "bench-secret-0123456789")
        phones = FakeSmsc(kannel.ports["smsc"], Path(directory) / "fakesmsc.out")
        kannel.start()
        phones.start(kannel)
        try:
            channel = KannelChannel(kannel.sendsms_url, USERNAME, PASSWORD, sender="10690000", dlr_mask=0)
            messages = [
                OutgoingSms(i, f"+86139{i:08d}", f"牧民{i}：明早6点暴雪，请加固棚圈。") for i in range(args.messages)
            ]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                outcomes = [result.outcome for result in pool.map(channel.send_sms, messages)]
            accepted_in = time.perf_counter() - started
            wait_until(lambda: len(phones.received()) >= args.messages, 120, "every message at the fake SMSC")
            arrived_in = time.perf_counter() - started
        finally:
            kannel.stop()
            phones.stop()
    load = os.getloadavg()[0]
    print(
        f"| Kannel sendsms, {args.messages:,} UCS-2 messages, {args.threads} threads | load {load:.1f} | "
        f"{outcomes.count('accepted'):,} accepted at **{args.messages / accepted_in:,.0f} msg/s**; all at the fake "
        f"SMSC after {arrived_in:.1f} s ({args.messages / arrived_in:,.0f} msg/s) | `python bench/kannel_send.py` |"
    )


if __name__ == "__main__":
    main()
