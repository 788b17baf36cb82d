"""Text a person cannot see must not reach the markdown (a prompt-injection path), and what a person
does see must stay: HTML hidden by CSS, colour, size, position or invisible characters; PDF text in
white, under 1pt, in render mode 3 or under a box; and a 3,000-deep page that lost its tail.

Every hidden vector carries a unique canary word; visible words around each one must survive.
"""

from __future__ import annotations

import pymupdf
import pytest
from llmingest import ingest
from llmingest.converters.html import convert as html_convert
from llmingest.converters.html import front_matter
from llmingest.converters.pdf import convert as pdf_convert

# ------------------------------------------------------------------------------- HTML vectors

#: (name, markup with {c} where the canary goes): none of these may show in the markdown
HIDDEN = [
    ("display-none", '<span style="display:none">{c}</span>'),
    ("visibility-hidden", '<span style="visibility:hidden">{c}</span>'),
    ("visibility-collapse", '<span style="visibility: collapse">{c}</span>'),
    ("opacity-0", '<span style="opacity:0">{c}</span>'),
    ("opacity-0.0-spaced", '<span style="opacity: 0.0 ">{c}</span>'),
    ("opacity-0-percent", '<span style="opacity:0%">{c}</span>'),
    ("filter-opacity", '<span style="filter: opacity(0)">{c}</span>'),
    ("font-size-0", '<span style="font-size:0">{c}</span>'),
    ("font-size-0.0px", '<span style="font-size:0.0px">{c}</span>'),
    ("font-size-1px", '<span style="font-size:1px">{c}</span>'),
    ("font-size-0.01em", '<span style="font-size:0.01em">{c}</span>'),
    ("font-shorthand-0", '<span style="font: 0/0 a">{c}</span>'),
    ("color-white", '<span style="color:white">{c}</span>'),
    ("color-fff", '<span style="color:#fff">{c}</span>'),
    ("color-FFFFFF", '<span style="color:#FFFFFF">{c}</span>'),
    ("color-rgb-white", '<span style="color:rgb(255, 255, 255)">{c}</span>'),
    ("color-near-white", '<span style="color:#fefefe">{c}</span>'),
    ("white-on-white", '<span style="background:#fff;color:#fff">{c}</span>'),
    ("same-colour-as-background", '<span style="background-color:#123456;color:#123456">{c}</span>'),
    ("inherited-white", '<div style="color:#fff"><p><em>{c}</em></p></div>'),
    ("color-transparent", '<span style="color:transparent">{c}</span>'),
    ("color-rgba-alpha-0", '<span style="color:rgba(10,20,30,0)">{c}</span>'),
    ("color-hsla-alpha-0", '<span style="color:hsla(0, 0%, 0%, 0)">{c}</span>'),
    ("text-fill-transparent", '<span style="-webkit-text-fill-color: transparent">{c}</span>'),
    ("offscreen-left", '<span style="position:absolute; left:-9999px">{c}</span>'),
    ("offscreen-top", '<div style="position:absolute;top:-10000px">{c}</div>'),
    ("text-indent", '<div style="text-indent:-9999px">{c}</div>'),
    ("clip-rect-0", '<span style="position:absolute;clip: rect(0 0 0 0)">{c}</span>'),
    ("clip-rect-1px", '<span style="position:absolute;clip:rect(1px, 1px, 1px, 1px)">{c}</span>'),
    ("clip-path-inset", '<span style="clip-path: inset(100%)">{c}</span>'),
    ("transform-scale-0", '<span style="display:inline-block;transform: scale(0)">{c}</span>'),
    ("transform-scaleY-0", '<span style="display:inline-block;transform:scaleY(0)">{c}</span>'),
    ("transform-translate-away", '<span style="display:inline-block;transform:translateX(-10000px)">{c}</span>'),
    ("height-0-overflow-hidden", '<div style="height:0;overflow:hidden">{c}</div>'),
    ("max-height-0", '<div style="max-height:0px; overflow: hidden">{c}</div>'),
    ("one-pixel-box", '<div style="width:1px;height:1px;overflow:hidden">{c}</div>'),
    ("content-visibility", '<div style="content-visibility:hidden">{c}</div>'),
    ("class-display-none", '<span class="hid1">{c}</span>'),
    ("class-visibility-hidden", '<span class="hid2">{c}</span>'),
    ("class-font-size-0", '<span class="hid3">{c}</span>'),
    ("class-opacity-0", '<span class="hid4">{c}</span>'),
    ("id-display-none", '<span id="hid5">{c}</span>'),
    ("tag-class-rule", '<span class="hid6">{c}</span>'),
    ("tag-rule", "<q>{c}</q>"),
    ("class-white", '<span class="hid7">{c}</span>'),
    ("class-offscreen", '<span class="hid8">{c}</span>'),
    ("rule-in-media-screen", '<span class="hid9">{c}</span>'),
    ("important-rule-beats-inline", '<span class="hid10" style="display:inline">{c}</span>'),
    ("font-color-white", '<font color="white">{c}</font>'),
    ("font-color-hex", '<font color="#FFFFFF">{c}</font>'),
    ("hidden-attribute", "<span hidden>{c}</span>"),
    ("aria-hidden", '<span aria-hidden="true">{c}</span>'),
    ("sr-only", '<span class="sr-only">{c}</span>'),
]
STYLE = """
.hid1{display:none} .hid2 { visibility: hidden } .hid3{font-size:0px} .hid4{opacity:0}
#hid5{display:none} span.hid6{display:none} q{display:none} .hid7{color:#ffffff}
.hid8{position:absolute;left:-10000px}
@media screen { .hid9 { display: none } }
.hid10{display:none !important}
/* shown in some state, or not on screen: content */
.tabc{display:none} .tabc.active{display:block}
.answer{display:none} .open > .answer{display:block}
@media print { .noprint{display:none} }
@media (max-width: 600px) { .wide{display:none} }
.row{font-size:0} .col{font-size:14px}
.grad{color:transparent;-webkit-background-clip:text;background-image:linear-gradient(red,blue)}
"""
#: (name, markup with {c}) that a person does see: each must stay
VISIBLE = [
    ("grey-text", '<span style="color:#999">{c}</span>'),
    ("white-on-dark-box", '<div style="background:#000"><p style="color:#fff">{c}</p></div>'),
    ("white-on-image", '<div style="background-image:url(hero.png);color:#fff">{c}</div>'),
    ("white-on-gradient", '<div style="background:linear-gradient(#000,#333);color:white">{c}</div>'),
    ("tab-shown-when-active", '<div class="tabc">{c}</div>'),
    ("answer-shown-when-open", '<div class="answer">{c}</div>'),
    ("hidden-in-print-only", '<div class="noprint">{c}</div>'),
    ("hidden-on-narrow-screens-only", '<div class="wide">{c}</div>'),
    ("font-size-0-row-with-sized-cells", '<div class="row"><span class="col">{c}</span></div>'),
    ("gradient-text", '<h2 class="grad">{c}</h2>'),
    ("half-opacity", '<span style="opacity:0.5">{c}</span>'),
    ("nudged", '<span style="position:relative;left:10px">{c}</span>'),
    ("scaled-up", '<span style="display:inline-block;transform:scale(1.5)">{c}</span>'),
    ("height-0-overflow-visible", '<div style="height:0">{c}</div>'),
    ("light-code-token", '<pre><code><span style="color:#f8f8f2">{c}</span></code></pre>'),
    ("child-sets-size-back", '<div style="font-size:1px"><span style="font-size:16px">{c}</span></div>'),
    ("child-sets-colour-back", '<div style="color:#fff"><span style="color:#333">{c}</span></div>'),
    ("entrance-animation", '<div style="opacity:0.001;will-change:transform;transform:translateY(40px)">{c}</div>'),
]
FILLER = "<p>" + "Ordinary visible words of the page. " * 40 + "</p>"


def _vector_page() -> str:
    rows = [f"<div>keep{i:02d}a {markup.format(c=f'canary{i:02d}x')} keep{i:02d}b</div>"
            for i, (_, markup) in enumerate(HIDDEN)]
    rows += [f"<div>{markup.format(c=f'shown{i:02d}x')}</div>" for i, (_, markup) in enumerate(VISIBLE)]
    return (f"<html><head><title>Vectors</title><style>{STYLE}</style></head><body><main><h1>Vectors</h1>"
            f"{FILLER}{''.join(rows)}</main></body></html>")


@pytest.fixture(scope="module")
def vector_markdown() -> str:
    return html_convert(_vector_page(), "https://example.com/vectors").content


@pytest.mark.parametrize("index,name", [(i, n) for i, (n, _) in enumerate(HIDDEN)], ids=[n for n, _ in HIDDEN])
def test_hidden_html_text_is_dropped(vector_markdown, index, name):
    assert f"canary{index:02d}x" not in vector_markdown, name
    assert f"keep{index:02d}a" in vector_markdown and f"keep{index:02d}b" in vector_markdown, name


@pytest.mark.parametrize("index,name", [(i, n) for i, (n, _) in enumerate(VISIBLE)], ids=[n for n, _ in VISIBLE])
def test_visible_html_text_is_kept(vector_markdown, index, name):
    assert f"shown{index:02d}x" in vector_markdown, name


def test_every_vector_is_in_the_page():
    assert len(HIDDEN) >= 46 and len({n for n, _ in HIDDEN}) == len(HIDDEN)


def test_invisible_characters_are_removed_from_text_and_title():
    tags = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    html = (f"<html><head><title>Title{tags}</title></head><body><main><p>Safe{tags} text \u202eevil\u202c and"
            f" &#xE0041;&#xE0042;refs; family \U0001F468\u200d\U0001F469 joined</p>{FILLER}</main></body></html>")
    doc = html_convert(html)
    text = doc.content + (doc.title or "")
    assert not any(0xE0000 <= ord(ch) <= 0xE007F or ch in "\u202a\u202b\u202c\u202d\u202e" for ch in text)
    assert "Safe text evil and refs;" in doc.content
    assert "\U0001F468\u200d\U0001F469" in doc.content  # a zero-width joiner inside an emoji is harmless
    assert doc.title == "Title"


def test_dark_theme_keeps_white_text():
    html = ("<html><head><style>body{background:#111;color:#eee} .card{background-color:#222}"
            " .title{color:#ffffff}</style></head><body><main><h1>Dark</h1>"
            "<p style='color:#fff'>White paragraph on the dark page.</p>"
            "<div class='card'><p class='title'>Card title in white</p></div>"
            "<p><font color='white'>Old white font tag</font></p></main></body></html>")
    md = html_convert(html).content
    for words in ("White paragraph on the dark page.", "Card title in white", "Old white font tag"):
        assert words in md


def test_external_style_sheet_leaves_classed_sections_unjudged():
    """A section's dark background usually lives in the site's style sheet, which we cannot read:
    white text inside a classed section stays; white text in plain markup is still dropped."""
    html = ("<html><head><link rel='stylesheet' href='/site.css'></head><body><main><h1>Shop</h1>"
            f"{FILLER}<section class='hero'><p style='color:#fff'>Hero tagline on the banner</p></section>"
            "<div><p style='color:#fff'>canaryplainx</p></div></main></body></html>")
    md = html_convert(html).content
    assert "Hero tagline on the banner" in md
    assert "canaryplainx" not in md


def test_rule_hiding_much_of_the_page_is_a_ui_state():
    """Collapsed FAQ answers (one rule hiding many long blocks) are content a click away."""
    answers = "".join(f"<h3>Question {i}?</h3><div class='faq-a'>Answer number {i} " + "explains it. " * 30
                      + "</div>" for i in range(6))
    html = (f"<html><head><style>.faq-a{{max-height:0;overflow:hidden}}</style></head><body><main><h1>FAQ</h1>"
            f"<p>Intro.</p>{answers}</main></body></html>")
    md = html_convert(html).content
    assert all(f"Answer number {i}" in md for i in range(6))


def test_hidden_html_through_the_public_api(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(_vector_page(), encoding="utf-8")
    bundle = ingest(str(page))
    text = "\n".join(d.content for d in bundle.documents)
    assert "keep00a" in text and "shown00x" in text
    assert not any(f"canary{i:02d}x" in text for i in range(len(HIDDEN)))


# ------------------------------------------------------------------------------ deep nesting


@pytest.mark.parametrize("opening,closing", [("<div>", "</div>"), ("<ul><li>", "</li></ul>"), ("<span>", "</span>")])
def test_3000_deep_nesting_keeps_the_deep_text_and_the_rest(opening, closing):
    html = ("<html><head><title>Deep</title></head><body><main><p>Before the deep part.</p>" + opening * 3000
            + "<p>Deep down text.</p>" + closing * 3000 + "<p>After the deep part.</p></main></body></html>")
    doc = html_convert(html)
    assert "Before the deep part." in doc.content
    assert "Deep down text." in doc.content
    assert "After the deep part." in doc.content
    assert any("nested deeper than" in w for w in doc.metadata["warnings"])
    assert "warnings:" in front_matter(doc)


def test_ordinary_nesting_has_no_warning():
    doc = html_convert("<html><body><main>" + "<div>" * 500 + "<p>Fine.</p>" + "</div>" * 500 + "</main></body></html>")
    assert "Fine." in doc.content
    assert "warnings" not in doc.metadata


# ------------------------------------------------------------------------------------- PDF


def _pdf(draw) -> str:
    doc = pymupdf.open()
    draw(doc.new_page())
    return pdf_convert(doc.tobytes(), name="t.pdf").content


def test_invisible_pdf_text_is_dropped_and_visible_text_kept():
    def draw(page):
        page.insert_text((72, 72), "Visible opening words", fontsize=11)
        page.insert_text((72, 100), "WHITECANARY words", fontsize=11, color=(1, 1, 1))
        page.insert_text((72, 130), "TINYCANARY words", fontsize=0.5)
        page.insert_text((72, 160), "MODETHREECANARY words", fontsize=11, render_mode=3)
        page.insert_text((72, 190), "COVEREDCANARY words", fontsize=11)
        page.draw_rect(pymupdf.Rect(70, 178, 300, 195), color=None, fill=(1, 1, 1))  # drawn after the text
        page.draw_rect(pymupdf.Rect(70, 210, 300, 240), color=None, fill=(0.1, 0.1, 0.1))
        page.insert_text((72, 228), "White on a dark box", fontsize=11, color=(1, 1, 1))
        page.draw_rect(pymupdf.Rect(70, 250, 300, 280), color=None, fill=(0.9, 0.9, 0.9))
        page.insert_text((72, 268), "Text in a shaded box", fontsize=11)
        page.draw_rect(pymupdf.Rect(70, 290, 300, 320), color=None, fill=(0.2, 0.3, 0.4))
        page.insert_text((72, 308), "SAMECOLOURCANARY words", fontsize=11, color=(0.2, 0.3, 0.4))
        page.insert_text((72, 340), "Visible closing words", fontsize=11)

    md = _pdf(draw)
    for canary in ("WHITECANARY", "TINYCANARY", "MODETHREECANARY", "COVEREDCANARY", "SAMECOLOURCANARY"):
        assert canary not in md
    for words in ("Visible opening words", "White on a dark box", "Text in a shaded box", "Visible closing words"):
        assert words in md
    assert "drawn invisibly" in md.split("---")[1]  # said in the front matter warnings


def test_ocr_text_layer_over_a_scan_is_kept():
    """An OCR'd scan's invisible text layer is the page's content."""
    def draw(page):
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
        pix.clear_with(230)
        page.insert_image(page.rect, pixmap=pix)
        page.insert_text((72, 100), "Scanned letter first line", fontsize=11, render_mode=3)
        page.insert_text((72, 120), "scanned letter second line", fontsize=11, render_mode=3)

    md = _pdf(draw)
    assert "Scanned letter first line" in md and "scanned letter second line" in md
    assert "drawn invisibly" not in md


def test_invisible_text_beside_visible_text_on_an_image_page_is_dropped():
    def draw(page):
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
        pix.clear_with(230)
        page.insert_image(page.rect, pixmap=pix)
        page.insert_text((72, 100), "A visible caption over the picture with enough words to count", fontsize=11)
        page.insert_text((72, 130), "HIDDENLAYERCANARY", fontsize=11, render_mode=3)

    md = _pdf(draw)
    assert "A visible caption over the picture" in md
    assert "HIDDENLAYERCANARY" not in md
