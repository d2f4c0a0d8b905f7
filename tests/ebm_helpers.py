"""The EBM document's structure as the export writes it, for the EBM tests: each element's children in the order of
the public examples (docs/alerts.md), which are required, which repeat, and the digits the ids hold."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# element -> its children: (name, required, repeatable), in order; leaves hold text
SEQUENCES: dict[str, list[tuple[str, bool, bool]]] = {
    "EBD": [("EBDVersion", True, False), ("EBDID", True, False), ("EBDType", True, False), ("SRC", True, False),
            ("DEST", False, False), ("EBDTime", True, False), ("RelatedEBD", False, False), ("EBM", True, False)],
    "SRC": [("EBRID", True, False), ("URL", False, False)],
    "EBM": [("EBMVersion", True, False), ("EBMID", True, False), ("RelatedInfo", False, False),
            ("MsgBasicInfo", True, False), ("MsgContent", True, True), ("Dispatch", False, True)],
    "RelatedInfo": [("EBMID", False, False), ("EBIID", False, False)],
    "MsgBasicInfo": [("MsgType", True, False), ("SenderName", True, False), ("SenderCode", True, False),
                     ("SendTime", True, False), ("EventType", True, False), ("Severity", True, False),
                     ("StartTime", True, False), ("EndTime", True, False)],
    "MsgContent": [("LanguageCode", True, False), ("MsgTitle", True, False), ("MsgDesc", True, False),
                   ("AreaCode", True, False), ("ProgramNum", False, False), ("Auxiliary", False, True)],
    "Auxiliary": [("AuxiliaryType", True, False), ("AuxiliaryDesc", True, False), ("Size", False, False),
                  ("Digest", False, False)],
}  # fmt: skip
TEXT_PATTERNS = {
    "EBDID": r"10[0-9]{23}[0-9]{8}[0-9]{8}",
    "EBRID": r"[0-9]{23}",
    "EBMID": r"[0-9]{23}[0-9]{8}[0-9]{4}",
    "MsgType": r"[1-5]",
    "Severity": r"[0-4]",
    "SendTime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "StartTime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "EndTime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "EBDTime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "LanguageCode": r"[a-z]{3}",
    "AreaCode": r"[0-9]{12}(,[0-9]{12})*",
    "Size": r"[0-9]+",
    "Digest": r"[0-9a-f]{64}",
}


def check_ebm(element: ET.Element) -> None:
    """The element and everything below it follow SEQUENCES and TEXT_PATTERNS (AssertionError naming the fault)."""
    sequence = SEQUENCES.get(element.tag)
    if sequence is None:
        pattern = TEXT_PATTERNS.get(element.tag, r".+")
        assert len(element) == 0 and re.fullmatch(pattern, element.text or ""), (element.tag, element.text)
        return
    tags = [child.tag for child in element]
    names = [name for name, _required, _many in sequence]
    assert set(tags) <= set(names), (element.tag, set(tags) - set(names))
    positions = [names.index(tag) for tag in tags]
    assert positions == sorted(positions), (element.tag, tags)
    for name, required, many in sequence:
        assert tags.count(name) >= (1 if required else 0), f"{element.tag}/{name} missing"
        assert many or tags.count(name) <= 1, f"{element.tag}/{name} repeated"
    for child in element:
        check_ebm(child)


def parse_ebm(document: bytes) -> ET.Element:
    """The document parsed with the standard library, its declaration UTF-8, its structure checked."""
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(document)
    assert root.tag == "EBD"
    check_ebm(root)
    return root
