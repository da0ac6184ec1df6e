#!/usr/bin/env python3
"""Writes the Office fixtures of tests/office.rs, deterministically (fixed zip dates, stdlib
zipfile only): a Word letter with headings and numbered lists as Word writes them, a
PowerPoint feedback deck, and hostile or unwanted packages (a zip bomb, a letter cut short,
a spreadsheet). The texts are written here for the tests, not copied from any document.

    python3 tests/office/make_office.py tests/office
"""
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
P = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
     'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
RELS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
TYPES = 'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def write_zip(path, files):
    with zipfile.ZipFile(path, 'w') as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def para(text, style=None, listed=False):
    props = ''
    if style or listed:
        props = '<w:pPr>' + (f'<w:pStyle w:val="{style}"/>' if style else '')
        props += ('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if listed else '') + '</w:pPr>'
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx(paragraphs):
    body = ''.join(para(*p) for p in paragraphs)
    styles = ''.join(
        f'<w:style w:type="paragraph" w:styleId="Heading{i}"><w:name w:val="heading {i}"/>'
        f'<w:pPr><w:outlineLvl w:val="{i - 1}"/></w:pPr></w:style>' for i in (1, 2))
    return [
        ('[Content_Types].xml', f'{HEAD}<Types {TYPES}><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>'),
        ('_rels/.rels', f'{HEAD}<Relationships {RELS}><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>'),
        ('word/_rels/document.xml.rels', f'{HEAD}<Relationships {RELS}><Relationship Id="rId1" Type="{REL}/styles" Target="styles.xml"/></Relationships>'),
        ('word/document.xml', f'{HEAD}<w:document {W}><w:body>{body}</w:body></w:document>'),
        ('word/styles.xml', f'{HEAD}<w:styles {W}>{styles}</w:styles>'),
    ]


def shape(i, texts, title):
    placeholder = '<p:ph type="title"/>' if title else f'<p:ph idx="{i}"/>'
    runs = ''.join(f'<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>' for t in texts)
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{i}" name="Shape {i}"/><p:cNvSpPr/><p:nvPr>{placeholder}</p:nvPr></p:nvSpPr>'
            f'<p:spPr/><p:txBody><a:bodyPr/>{runs}</p:txBody></p:sp>')


def pptx(slides):
    files = [
        ('[Content_Types].xml', f'{HEAD}<Types {TYPES}><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
         + ''.join(f'<Override PartName="/ppt/slides/slide{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'
                   for n in range(1, len(slides) + 1)) + '</Types>'),
        ('_rels/.rels', f'{HEAD}<Relationships {RELS}><Relationship Id="rId1" Type="{REL}/officeDocument" Target="ppt/presentation.xml"/></Relationships>'),
        ('ppt/presentation.xml', f'{HEAD}<p:presentation {P}><p:sldIdLst>'
         + ''.join(f'<p:sldId id="{255 + n}" r:id="rId{n}"/>' for n in range(1, len(slides) + 1)) + '</p:sldIdLst></p:presentation>'),
        ('ppt/_rels/presentation.xml.rels', f'{HEAD}<Relationships {RELS}>'
         + ''.join(f'<Relationship Id="rId{n}" Type="{REL}/slide" Target="slides/slide{n}.xml"/>' for n in range(1, len(slides) + 1))
         + '</Relationships>'),
    ]
    for n, (title, points) in enumerate(slides, 1):
        tree = shape(2, [title], True) + shape(3, points, False)
        files.append((f'ppt/slides/slide{n}.xml', f'{HEAD}<p:sld {P}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
                      f'<p:grpSpPr/>{tree}</p:spTree></p:cSld></p:sld>'))
    return files


LETTER = [
    ('Adult Social Care Peer Challenge: Feedback Letter', 'Heading1'),
    ('Dear Director, thank you for inviting the peer team to Wakefield Council for the adult social care peer challenge in March 2024.',),
    ('Strengths', 'Heading2'),
    ('Staff were proud to work for the council and spoke highly of their managers.', None, True),
    ('The front door is responsive and people get advice quickly.', None, True),
    ('Areas for development', 'Heading2'),
    ('Too many people are waiting for an assessment of their needs.', None, True),
    ('Recommendations', 'Heading2'),
    ('Reduce the waiting list for occupational therapy assessments.', None, True),
]

DECK = [
    ('Adult Social Care Peer Challenge: Wakefield Council, March 2024', ['Feedback presentation to the council']),
    ('Strengths', ['Carers spoke warmly of the support they receive from the carers centre.', 'Partnership working with the NHS is strong at every level.']),
    ('Areas for consideration', ['Direct payments are taken up by too few people and the offer is not well understood.']),
]


def main(out):
    out = Path(out)
    write_zip(out / 'letter.docx', docx(LETTER))
    write_zip(out / 'deck.pptx', pptx(DECK))
    # A part that inflates a thousandfold: 64 MiB of one byte in a 64 KiB file.
    bomb = docx(LETTER)
    bomb[3] = ('word/document.xml', b' ' * (64 << 20))
    write_zip(out / 'bomb.docx', bomb)
    # The letter cut short, as half a download is.
    whole = (out / 'letter.docx').read_bytes()
    (out / 'cut.docx').write_bytes(whole[: len(whole) // 2])
    write_zip(out / 'budget.xlsx', [
        ('[Content_Types].xml', f'{HEAD}<Types {TYPES}><Default Extension="xml" ContentType="application/xml"/></Types>'),
        ('xl/workbook.xml', f'{HEAD}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'),
    ])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
