#!/usr/bin/env python3
"""Build corpus/ from the five seed texts in ../shared/seeds.

The seeds are the text of real documents. peerscope must read them in the forms they
are published in, so this script writes, beside a copy of each text:

- the Torbay LGA report as an HTML page shaped like the LGA's report pages
  (site banner, navigation, breadcrumbs, footer around a <main> article);
- the Rotherham and Worcestershire minutes as ModernGov ``mgAi.aspx`` agenda-item pages
  (banner, navigation, "Agenda item" title, "Minutes:", "Supporting documents:" links);
- the Leicester and Walsall scrutiny reports as multi-page PDFs with a running header,
  page numbers, bold headings and wrapped paragraphs (slides start a new page).

Usage: python3 scripts/make_corpus.py [SEEDS_DIR] [CORPUS_DIR]
Needs reportlab (pip install reportlab) and the DejaVu fonts (apt-get install
fonts-dejavu-core) only to regenerate the PDFs; the outputs are committed.
"""
import html
import re
import shutil
import sys
from pathlib import Path

SEEDS = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "../../shared/seeds")
CORPUS = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).parent / "../corpus")

BULLET = re.compile(r"^\s*(?:[-•·❖▪]|o(?=\s))\s+(.*)$")
NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)[.)]?\s+(.*)$")


def looks_like_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 110 or BULLET.match(s):
        return False
    if s.endswith((".", ",", ";", ":")) and not s.endswith("Minutes:"):
        return False
    return s[0].isupper() or s[0].isdigit()


def inline(text: str) -> str:
    esc = html.escape(text, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc)


def blocks(text: str):
    """Yield (kind, text) blocks: heading, bullet, subbullet, numbered, para."""
    for raw in text.splitlines():
        if not raw.strip():
            yield ("blank", "")
            continue
        m = BULLET.match(raw)
        if m:
            sub = raw.startswith((" ", "\t")) or raw.lstrip().startswith(("o ", "❖"))
            yield ("subbullet" if sub else "bullet", m.group(1).strip())
            continue
        if looks_like_heading(raw):
            yield ("heading", raw.strip())
        else:
            yield ("para", raw.strip())


def html_body(text: str) -> str:
    out, in_list = [], None
    for kind, t in blocks(text):
        want = "ul" if kind in ("bullet", "subbullet") else None
        if in_list and want != in_list:
            out.append(f"</{in_list}>")
            in_list = None
        if want and not in_list:
            out.append("<ul>")
            in_list = want
        if kind == "blank":
            continue
        if kind in ("bullet", "subbullet"):
            cls = ' class="sub"' if kind == "subbullet" else ""
            out.append(f"<li{cls}>{inline(t)}</li>")
        elif kind == "heading":
            out.append(f"<h2>{inline(t)}</h2>")
        else:
            out.append(f"<p>{inline(t)}</p>")
    if in_list:
        out.append(f"</{in_list}>")
    return "\n".join(out)


LGA_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | Local Government Association</title>
<meta property="og:site_name" content="Local Government Association">
<style>body{{font-family:sans-serif}} nav a{{margin-right:1em}}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
<header class="site-header" role="banner">
  <a class="logo" href="/">Local Government Association</a>
  <div class="cookie-banner">We use cookies to make this site work. <button>Accept all cookies</button></div>
  <form class="search" action="/search"><input name="q" placeholder="Search"></form>
</header>
<nav class="main-nav" aria-label="Main">
  <a href="/topics">Topics</a><a href="/our-support">Our support</a><a href="/publications">Publications</a>
  <a href="/events">Events</a><a href="/about">About</a><a href="/contact">Contact us</a>
</nav>
<nav class="breadcrumb" aria-label="Breadcrumb">
  <a href="/">Home</a> &gt; <a href="/our-support">Our support</a> &gt;
  <a href="/our-support/council-assurance-and-peer-challenge">Council assurance and peer challenge</a> &gt;
  <a href="/our-support/council-assurance-and-peer-challenge/peer-challenges-we-offer">Peer challenges we offer</a>
</nav>
<main id="main-content">
<article class="node--type-publication">
<h1>{title}</h1>
<div class="field--name-body">
{body}
</div>
</article>
<aside class="related">
  <h2>Related resources</h2>
  <ul><li><a href="/adult-social-care">Adult social care and health</a></li>
  <li><a href="/care-and-health-improvement">Care and Health Improvement Programme</a></li></ul>
</aside>
</main>
<footer class="site-footer">
  <p>Local Government Association, 18 Smith Square, London SW1P 3HZ</p>
  <ul><li><a href="/privacy">Privacy</a></li><li><a href="/accessibility">Accessibility</a></li>
  <li><a href="/terms">Terms of use</a></li></ul>
  <p>&copy; Local Government Association 2024</p>
</footer>
</body>
</html>
"""

MODERNGOV_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Agenda item - {item_title} - {council_official}</title>
<link rel="stylesheet" href="SiteSpecific/ssMgStyles.css">
</head>
<body>
<div id="header" class="banner">
  <a href="https://www.{domain}"><img src="SiteSpecific/logo.png" alt="{council_official}"></a>
  <span class="site-name">{council_official}</span>
</div>
<div id="navigation">
  <ul class="mgNav">
    <li><a href="mgListCommittees.aspx">Committees</a></li>
    <li><a href="mgCalendarMonthView.aspx">Calendar</a></li>
    <li><a href="mgMemberIndex.aspx">Councillors</a></li>
    <li><a href="ieDocHome.aspx?Categories=">Decisions</a></li>
    <li><a href="mgListOutsideBodies.aspx">Outside bodies</a></li>
  </ul>
  <div class="breadcrumb"><a href="ieDocHome.aspx">Home</a> &gt; <a href="mgCommitteeDetails.aspx?ID={cid}">{committee}</a> &gt; <a href="ieListDocuments.aspx?CId={cid}&amp;MId={mid}">Meeting {meeting_date}</a></div>
</div>
<div id="modgov">
<div class="mgContent">
<h1 class="mgMainTitleTxt">Agendas, Meetings and Minutes</h1>
<h2 class="mgSubTitleTxt">Agenda item</h2>
<h2 class="mgAiTitleTxt">{item_title}</h2>
<p class="mgSubTitleTxt">Meeting: {meeting_date} - {committee} (Item {item_no})</p>
{body}
<h3 class="mgSubTitleTxt">Supporting documents:</h3>
<ul class="mgActionList mgLinks">
{links}
</ul>
</div>
</div>
<div id="footer">
  <p>{council_official} &middot; <a href="mgGeneric.aspx?bcr=1">Accessibility</a> &middot; <a href="mgRss.aspx">RSS</a></p>
  <p>Powered by Modern.Gov</p>
</div>
</body>
</html>
"""


def moderngov_body(text: str) -> tuple[str, str]:
    """Split a seed of an mgAi page into its item title and minutes paragraphs."""
    lines = [l for l in text.splitlines()]
    # The seed starts with the page's own headings; the item title is the line after "Agenda item".
    idx = next(i for i, l in enumerate(lines) if l.strip() == "Agenda item")
    rest = [l for l in lines[idx + 1:]]
    while rest and not rest[0].strip():
        rest.pop(0)
    title = rest.pop(0).strip()
    paras = []
    for raw in rest:
        s = raw.strip()
        if not s:
            paras.append('<p class="mgWordPara">&nbsp;</p>')
        elif s == "Minutes:":
            paras.append('<h3 class="mgSubTitleTxt">Minutes:</h3>')
        else:
            paras.append(f'<p class="mgWordPara">{inline(s)}</p>')
    return title, "\n".join(paras)


def write_html(seed: str, out: str, **kw):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    if kw.get("moderngov"):
        title, body = moderngov_body(text)
        links = "\n".join(f'<li><a href="documents/s{aid}/{html.escape(name)}.pdf">{html.escape(name)}</a></li>'
                          for aid, name in kw["docs"])
        page = MODERNGOV_PAGE.format(item_title=html.escape(title), body=body, links=links,
                                     **{k: kw[k] for k in ("council_official", "domain", "committee",
                                                            "cid", "mid", "meeting_date", "item_no")})
    else:
        lines = text.splitlines()
        # Drop the site-wide banner line; it belongs to the page chrome written around the article.
        if lines and lines[0].startswith("Visit our devolution"):
            lines = lines[1:]
        page = LGA_PAGE.format(title=html.escape(kw["title"]), body=html_body("\n".join(lines)))
    (CORPUS / out).write_text(page, encoding="utf-8")


def write_pdf(seed: str, out: str, running_header: str):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    fonts = Path("/usr/share/fonts/truetype/dejavu")
    pdfmetrics.registerFont(TTFont("DejaVu", str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
    from reportlab.pdfbase.pdfmetrics import registerFontFamily
    registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold", italic="DejaVu", boldItalic="DejaVu-Bold")
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10, leading=13, spaceAfter=6)
    head = ParagraphStyle("head", parent=body, fontName="DejaVu-Bold", fontSize=14, leading=17, spaceBefore=8)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=4, bulletFontName="DejaVu")
    sub = ParagraphStyle("sub", parent=bullet, leftIndent=28, bulletIndent=18)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("DejaVu", 8)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, running_header)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    text = (SEEDS / seed).read_text(encoding="utf-8")
    story, blank_run = [], 0
    for kind, t in blocks(text):
        if kind == "blank":
            blank_run += 1
            continue
        if blank_run >= 3 and story:  # a new slide in the seed's presentation appendix
            story.append(PageBreak())
        blank_run = 0
        markup = inline(t)
        if kind == "heading":
            story.append(Paragraph(markup, head))
        elif kind == "bullet":
            story.append(Paragraph(markup, bullet, bulletText="•"))
        elif kind == "subbullet":
            story.append(Paragraph(markup, sub, bulletText="–"))
        else:
            story.append(Paragraph(markup, body))
    story.append(Spacer(1, 1))
    doc = SimpleDocTemplate(str(CORPUS / out), pagesize=A4, title=running_header,
                            topMargin=20 * mm, bottomMargin=20 * mm)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


def main():
    CORPUS.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, CORPUS / seed.name)
    write_html("torbay_lga-feedback-report_2024.txt", "torbay_lga-feedback-report_2024.html",
               title="Torbay Council: Adult Social Care Preparation for Assurance Peer Challenge - feedback report")
    write_html("rotherham_scrutiny-minutes_2024.txt", "rotherham_scrutiny-minutes_2024.html", moderngov=True,
               council_official="Rotherham Metropolitan Borough Council", domain="rotherham.gov.uk",
               committee="Health Select Commission", cid=1081, mid=16290, meeting_date="Thursday, 18th July, 2024",
               item_no=22, docs=[(149812, "LGA Peer Review Report"), (149813, "Appendix 1 - Peer Review Action Plan")])
    write_html("worcestershire_scrutiny-minutes_2020.txt", "worcestershire_scrutiny-minutes_2020.html", moderngov=True,
               council_official="Worcestershire County Council", domain="worcestershire.gov.uk",
               committee="Adult Care and Well Being Overview and Scrutiny Panel", cid=140, mid=3402,
               meeting_date="Wednesday, 15th July, 2020", item_no=5,
               docs=[(28150, "Peer Review Feedback report"), (28151, "Peer Review presentation")])
    write_pdf("leicester_scrutiny-report_2016.txt", "leicester_scrutiny-report_2016.pdf",
              "Adult Social Care Scrutiny Commission - 3 May 2016")
    write_pdf("walsall_scrutiny-report_2015.txt", "walsall_scrutiny-report_2015.pdf",
              "Social Care and Inclusion Scrutiny and Performance Panel - 17 December 2015")


if __name__ == "__main__":
    main()
