"""The kannel.conf examples of docs/kannel.md parse with Kannel's own configuration checker (`test_cfg`, from
kannel-extras), which refuses unknown groups and keys."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.servers import REPO_ROOT

DOC = REPO_ROOT / "docs" / "kannel.md"
TEST_CFG = "/usr/lib/kannel/test/test_cfg"
MODEMS = "/usr/share/doc/kannel/examples/modems.conf"
BLOCKS = re.findall(r"```kannel-conf\n(.*?)```", DOC.read_text(), re.S)


def check(conf: Path) -> str:
    done = subprocess.run([TEST_CFG, str(conf)], capture_output=True, text=True, timeout=30)
    return done.stdout + done.stderr


def test_the_doc_has_a_modem_and_an_smpp_configuration():
    assert [("smsc = at" in block, "smsc = smpp" in block) for block in BLOCKS] == [(True, False), (False, True)]


@pytest.mark.parametrize("block", BLOCKS, ids=["gsm-modem", "smpp"])
def test_a_documented_configuration_parses(block, tmp_path):
    conf = tmp_path / "kannel.conf"
    conf.write_text(block.replace("/etc/kannel/modems.conf", MODEMS))
    output = check(conf)
    assert "Dump ends" in output and "cfg_read returned -1" not in output, output[-2000:]


def test_the_checker_refuses_an_unknown_key(tmp_path):
    conf = tmp_path / "kannel.conf"
    conf.write_text(BLOCKS[1].replace("transceiver-mode = true", "transceiver-mood = true"))
    assert "cfg_read returned -1" in check(conf)
