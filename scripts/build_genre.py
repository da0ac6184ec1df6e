#!/usr/bin/env python3
"""Build the genre test documents and their annotations from tests/genre/src.

Each source file (.txt, or .html for a web page) is a document written for this project in the style of the genre, with
its findings marked inline as [[S:...]] (strength), [[A:...]] (area for development),
[[R:...]] (recommendation) or [[B(Council|Other):...]] (best-practice pointer), and a first
line "@meta field=value ..." giving the metadata a careful reader would record. The script
writes the plain document to tests/genre/docs/NAME.txt, its published form as a laid-out PDF
(scripts/text_to_pdf.py: wrapped lines, running header, page numbers) to
tests/genre/pdf/NAME.pdf, and the annotation, in the format of tests/gold (see
tests/gold/GUIDELINES.md), to tests/genre/gold/NAME.json.

usage: python3 scripts/build_genre.py [SET]

SET is the directory holding src/ (default tests/genre). The PDF forms are written only where
SET/pdf exists (tests/genre: the tests read them); tests/heldout, a held-out measure of the
reader, has none.
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import text_to_pdf  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "tests" / "genre"
KINDS = {"S": "strength", "A": "area_for_development", "R": "recommendation", "B": "best_practice"}
MARK = re.compile(r"\[\[([SARB])(?:\(([^)]*)\))?:(.*?)\]\]", re.S)


def build(src: Path):
    lines = src.read_text(encoding="utf-8").split("\n")
    meta = dict(kv.split("=", 1) for kv in lines[0].removeprefix("@meta ").split())
    body = "\n".join(lines[1:])
    findings = []
    for m in MARK.finditer(body):
        f = {"kind": KINDS[m.group(1)], "text": m.group(3)}
        if m.group(2):
            f["council"] = m.group(2).split("|")[0]
        findings.append(f)
    text = MARK.sub(lambda m: m.group(3), body)
    meta["council"] = meta["council"].replace("_", " ")
    gold = {"doc": src.name, **meta, "review_year": None if meta["review_year"] == "none" else int(meta["review_year"]), "findings": findings}
    (ROOT / "docs" / src.name).write_text(text, encoding="utf-8")
    (ROOT / "gold" / (src.stem + ".json")).write_text(json.dumps(gold, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if src.suffix == ".txt" and (ROOT / "pdf").is_dir():
        header = next(line for line in text.split("\n") if line.strip())
        pages = text_to_pdf.paginate(text_to_pdf.layout(text))
        text_to_pdf.write_pdf(pages, header, ROOT / "pdf" / (src.stem + ".pdf"))
    return len(findings)


def main():
    global ROOT
    if len(sys.argv) > 1:
        ROOT = (REPO / sys.argv[1]).resolve()
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "gold").mkdir(exist_ok=True)
    for src in sorted(p for p in (ROOT / "src").iterdir() if p.suffix in (".txt", ".html")):
        print(f"{src.name}: {build(src)} findings")


if __name__ == "__main__":
    main()
