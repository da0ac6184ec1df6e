#!/usr/bin/env python3
"""Lay out a plain-text document as a PDF the way councils' reports are laid out.

The genre documents in tests/genre are written as text; their published form is usually a
PDF. This writes one with what makes PDFs hard to read back: paragraphs wrapped at the
page width (proper nouns start many continuation lines), bullets with hanging indents,
bold headings, a running header and a "Page N of M" footer on every page, and page breaks
in the middle of paragraphs. Only the standard Helvetica fonts are used (WinAnsiEncoding),
so the file needs no embedded font. Deterministic: the same text gives the same bytes.

usage: python3 scripts/text_to_pdf.py IN.txt OUT.pdf [RUNNING_HEADER]
"""
import re
import sys
import textwrap

PAGE_W, PAGE_H = 595, 842  # A4 in points
LEFT, TOP, BOTTOM = 72, 770, 80
SIZE, LEADING = 10, 13
WIDTH_CHARS = 92  # Helvetica at 10 pt averages ~4.9 pt a character over 451 pt
BULLET = re.compile(r"^(?:[•\-–❖o]|\d{1,2}(?:\.\d{1,2})*\.?|\([a-z]\))\s+")


def pdf_string(s: str) -> str:
    b = s.encode("cp1252", errors="replace")
    out = []
    for byte in b:
        c = chr(byte)
        if c in "\\()":
            out.append("\\" + c)
        elif byte < 32 or byte > 126:
            out.append("\\%03o" % byte)
        else:
            out.append(c)
    return "(" + "".join(out) + ")"


def is_heading(line: str) -> bool:
    return len(line) < 80 and not line.endswith((".", ",", ";")) and not BULLET.match(line)


def layout(text: str):
    """Lines as (font, x, text, gap_before) in reading order."""
    lines = []
    for para in text.split("\n"):
        para = para.strip()
        if not para:
            continue
        if " | " in para:
            # A table row: a real table keeps its cells on one row, however long.
            lines.append(("F1", LEFT, para, 4))
            continue
        if is_heading(para):
            lines.append(("F2", LEFT, para, LEADING))
            continue
        m = BULLET.match(para)
        if m:
            marker, body = m.group(0).strip(), para[m.end():]
            marker = "•" if marker in "-–o" else marker
            wrapped = textwrap.wrap(body, WIDTH_CHARS - 6) or [""]
            lines.append(("F1", LEFT, f"{marker} {wrapped[0]}", 4))
            lines.extend(("F1", LEFT + 14, w, 0) for w in wrapped[1:])
            continue
        wrapped = textwrap.wrap(para, WIDTH_CHARS)
        lines.append(("F1", LEFT, wrapped[0], 7))
        lines.extend(("F1", LEFT, w, 0) for w in wrapped[1:])
    return lines


def paginate(lines):
    pages, page, y = [], [], TOP
    for font, x, s, gap in lines:
        y -= gap + LEADING
        if y < BOTTOM:
            pages.append(page)
            page, y = [], TOP - LEADING
        page.append((font, x, y, s))
    if page:
        pages.append(page)
    return pages


def content(page, n, total, header):
    ops = []
    if header:
        ops.append(f"BT /F1 8 Tf {LEFT} {PAGE_H - 40} Td {pdf_string(header)} Tj ET")
    for font, x, y, s in page:
        ops.append(f"BT /{font} {SIZE} Tf {x} {y} Td {pdf_string(s)} Tj ET")
    ops.append(f"BT /F1 8 Tf {PAGE_W // 2 - 20} 40 Td {pdf_string(f'Page {n} of {total}')} Tj ET")
    return "\n".join(ops).encode("latin-1")


def write_pdf(pages, header, out):
    objects = []  # bodies, object i+1
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(None)  # Pages, filled in below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for i, page in enumerate(pages, 1):
        stream = content(page, i, len(pages), header)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (PAGE_W, PAGE_H, len(objects))
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{k} 0 R" for k in kids).encode(), len(kids))
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        body += b"%010d 00000 n \n" % off
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    with open(out, "wb") as f:
        f.write(body)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    text = open(sys.argv[1], encoding="utf-8").read()
    header = sys.argv[3] if len(sys.argv) > 3 else ""
    write_pdf(paginate(layout(text)), header, sys.argv[2])


if __name__ == "__main__":
    main()
