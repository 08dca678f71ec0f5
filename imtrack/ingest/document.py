"""What every reader hands on: a document as plain paragraphs and tables, in reading order.

A paragraph is one line of text as the corpus .txt files hold it (the parser's input); a table
is a grid of cell texts with merged cells already spread over every row and column they cover,
so a task-division table reads the same whether it came from Word, HTML, a sheet or text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Table:
    rows: list[list[str]]  # every row as long as the widest; merged cells repeated
    where: str  # how a user finds it again: "table 2", "sheet 任务分工", "lines 12-30"
    lines: list[int] = field(default_factory=list)  # each row's line, for a table in plain text


@dataclass(slots=True)
class Document:
    name: str  # the file as the user named it, for messages
    format: str  # text, html, docx, pdf, xlsx
    encoding: str | None = None  # the text encoding, for the formats that have one
    blocks: list[str | Table] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        """The non-empty paragraphs (a text file also keeps its blank lines as blocks)."""
        return [b for b in self.blocks if isinstance(b, str) and b.strip()]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def text(self) -> str:
        """The paragraphs as the parser reads them, one per line. A table taken out of plain
        text leaves blank lines behind, so line numbers stay the file's."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, str):
                out.append(block)
            elif block.lines:
                out.extend([""] * (block.lines[-1] - block.lines[0] + 1))
        return "\n".join(out)

    def add(self, paragraph: str) -> None:
        """Add one paragraph per line of `paragraph`, without empty lines."""
        for line in paragraph.split("\n"):
            line = line.strip()
            if line:
                self.blocks.append(line)


def square(rows: list[list[str]]) -> list[list[str]]:
    """Pad every row to the widest one's length."""
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]
