"""Streaming, hardened XML for the WordPress and Disqus readers.

defusedxml refuses DTDs, entity declarations and external references before any of them is
expanded or fetched, so an entity-expansion bomb is refused at its first line and no external
entity is ever resolved. Elements are handed over one at a time and removed from the tree once
read, so memory does not grow with the export.
"""

from __future__ import annotations

from typing import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from moderation.errors import HostileInputError, InputError
from moderation.formats.source import Source


def local_name(tag: str) -> tuple[str, str]:
    """``"{namespace}name"`` -> ``(namespace, name)``."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def iter_events(source: Source) -> Iterator[tuple[str, Element, list[Element]]]:
    """``(event, element, ancestors)`` for "start" and "end" events; after an "end" event the
    caller may drop the element from its parent (``ancestors[-1].remove(element)``)."""
    stack: list[Element] = []
    with source.open_binary() as fh:
        events = iterparse(fh, events=("start", "end"), forbid_dtd=True,
                           forbid_entities=True, forbid_external=True)
        try:
            for event, element in events:
                if event == "start":
                    yield event, element, stack
                    stack.append(element)
                else:
                    stack.pop()
                    yield event, element, stack
        except DefusedXmlException as err:
            raise HostileInputError(
                source.path, f"refused: the XML declares a DTD, entities or external "
                f"references ({type(err).__name__}), which comment exports never need "
                "and which can be used to attack the reader") from None
        except ParseError as err:
            line = err.position[0] if getattr(err, "position", None) else None
            problem = str(err).split(":")[0]
            source.report.bad(InputError(source.path, f"XML is not well-formed ({problem}); "
                                         "the rest of the file cannot be read", line=line,
                                         hint="is the export truncated?"))


def text_of(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext())


def child_text(element: Element, name: str) -> str | None:
    """Text of the first child with this local name (any namespace)."""
    for child in element:
        if local_name(child.tag)[1] == name:
            return text_of(child)
    return None
