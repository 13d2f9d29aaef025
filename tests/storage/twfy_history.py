"""TheyWorkForYou's published history of a folder, rebuilt from its fixtures.

A folder holds each day's latest version in full and every earlier version as a
stub: one ``gidredirect`` per item of that version, in order, followed by the old
item itself where it differed from the next version ("changes"). So each earlier
version can be rebuilt in full: an item the stub keeps is taken as it is, any
other from the next version through its redirect, with its old id.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

_NAME_RE = re.compile(r"^(?P<stem>[a-z]+)(?P<day>\d{4}-\d{2}-\d{2})(?P<version>[a-z]+)\.xml$")


@dataclass(frozen=True)
class Version:
    name: str  # the file name, e.g. debates2009-10-27a.xml
    day: str  # stem and date: what the versions of one day share
    letter: str


def version_of(name: str) -> Version:
    match = _NAME_RE.match(name)
    assert match is not None, name
    return Version(name, match["stem"] + match["day"], match["version"])


def published_order(folder: Path) -> list[Version]:
    """The files in the order `changedates.txt` says they were published."""
    lines = (folder / "changedates.txt").read_text(encoding="utf-8").split()
    return [version_of(line.split(",", 1)[1]) for line in lines]


def _items(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot())


def _as_file(items: list[ET.Element], letter: str) -> bytes:
    body = []
    for item in items:
        item.tail = "\n"
        body.append(ET.tostring(item, encoding="unicode"))
    text = f'<?xml version="1.0" encoding="utf-8"?>\n<publicwhip scrapeversion="{letter}" latest="yes">\n'
    return (text + "".join(body) + "</publicwhip>\n").encode("utf-8")


def full_versions(folder: Path) -> dict[str, bytes]:
    """Every version of every day in ``folder`` as the full file it was when it was published."""
    names = sorted(p.name for p in folder.glob("*.xml"))
    by_day: dict[str, list[Version]] = {}
    for name in names:
        version = version_of(name)
        by_day.setdefault(version.day, []).append(version)
    rebuilt: dict[str, bytes] = {}
    for versions in by_day.values():
        latest = versions[-1]
        rebuilt[latest.name] = (folder / latest.name).read_bytes()
        newer = {item.get("id"): item for item in _items(folder / latest.name) if item.get("id")}
        for version in reversed(versions[:-1]):
            stub = _items(folder / version.name)
            items: list[ET.Element] = []
            for index, item in enumerate(stub):
                if item.tag != "gidredirect":
                    continue
                old = item.get("oldgid")
                following = stub[index + 1] if index + 1 < len(stub) else None
                if following is not None and following.tag != "gidredirect" and following.get("id") == old:
                    items.append(following)  # the stub keeps the old item as it was
                elif item.get("matchtype") != "removed" and item.get("newgid") in newer:
                    kept = copy.deepcopy(newer[item.get("newgid")])
                    kept.set("id", old or "")
                    items.append(kept)
            rebuilt[version.name] = _as_file(items, version.letter)
            newer = {item.get("id"): item for item in items}
    return rebuilt
