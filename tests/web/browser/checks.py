"""What a person would check on a page, measured in the real browser: nothing spills sideways,
the text is large enough, what matters is on screen, the colours contrast, axe finds no serious
problem, the keyboard reaches every control and shows where it is, and the screenshot shows
something. Each check returns what it found wrong, so an assertion names the offenders."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.async_playwright import Axe
from PIL import Image
from playwright.async_api import ConsoleMessage, Error, Page

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
SERIOUS_IMPACTS = ("serious", "critical")

_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const spill = [...document.querySelectorAll('body *')]
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, box]) => box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
        .slice(0, 5)
        .map(([el, box]) => `${el.tagName.toLowerCase()}.${el.className} [${box.left}, ${box.right}]`);
    return {scrollWidth: document.documentElement.scrollWidth, width, spill};
}"""

# Colours are read back from a 1x1 canvas, so any CSS colour syntax comes out as sRGB bytes.
_CONTRAST_JS = """(minimum) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const rgba = (css) => {
        ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        return [r, g, b, a / 255];
    };
    const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
    const luminance = (rgb) => {
        const linear = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        const [r, g, b] = rgb.map(linear);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const backdrop = (el) => {
        const layers = [];
        for (let node = el; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.backgroundImage !== 'none') return null;  // a picture or gradient: not measurable
            const colour = rgba(style.backgroundColor);
            if (colour[3] > 0) layers.push(colour);
            if (colour[3] >= 1) break;
        }
        return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
    };
    const found = [];
    for (const el of document.querySelectorAll('body, body *')) {
        const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
        if (!text || !el.getClientRects().length) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
        const under = backdrop(el);
        if (under === null) continue;
        const fg = over(rgba(style.color), under);
        const [light, dark] = [luminance(fg), luminance(under)].sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight) >= 700);
        const needed = Math.max(minimum, large ? 3 : 4.5);
        const rounded = Math.round(ratio * 100) / 100;
        if (ratio < needed) found.push({text: text.slice(0, 40), ratio: rounded, needed});
    }
    return found;
}"""

_FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim();
    return {
        tag: el.tagName.toLowerCase(), name: name.slice(0, 60), href: el.getAttribute('href'),
        visible: outlined || style.boxShadow !== 'none', focusVisible: el.matches(':focus-visible'),
    };
}"""


async def horizontal_overflow(page: Page) -> list[str]:
    """What makes the page wider than its viewport (empty when nothing spills sideways)."""
    facts: dict[str, Any] = await page.evaluate(_OVERFLOW_JS)
    if facts["scrollWidth"] <= facts["width"] and not facts["spill"]:
        return []
    return [f"page {facts['scrollWidth']} px wide in a {facts['width']} px viewport", *facts["spill"]]


async def font_size(page: Page, selector: str) -> float:
    """The computed font size, in CSS pixels, of the first element `selector` matches."""
    size: str = await page.locator(selector).first.evaluate("el => getComputedStyle(el).fontSize")
    return float(size.removesuffix("px"))


async def outside_viewport(page: Page, *selectors: str) -> list[str]:
    """The selectors whose first element is missing, hidden, or not wholly inside the first screen."""
    outside: list[str] = []
    viewport = page.viewport_size or {"width": 0, "height": 0}
    for selector in selectors:
        box = (
            await page.locator(selector).first.bounding_box()
            if await page.locator(selector).count()
            else None
        )
        inside = box is not None and box["width"] > 0 and box["height"] > 0
        if box is not None and inside:
            inside = box["x"] >= 0 and box["y"] >= 0
            inside = inside and box["x"] + box["width"] <= viewport["width"] + 0.5
            inside = inside and box["y"] + box["height"] <= viewport["height"] + 0.5
        if not inside:
            outside.append(f"{selector}: {box}")
    return outside


async def broken_across_lines(page: Page, selector: str) -> list[str]:
    """The words (or numbers) in `selector`'s elements that the layout broke over two lines, as a
    narrow column does to "1,030" or "Points" (a break between words is fine)."""
    broken: list[str] = await page.locator(selector).evaluate_all(
        """els => els.flatMap(el => {
            const found = [];
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const word of node.textContent.matchAll(/\\S+/g)) {
                    const range = document.createRange();
                    range.setStart(node, word.index);
                    range.setEnd(node, word.index + word[0].length);
                    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (lines.size > 1) found.push(word[0]);
                }
            }
            return found;
        })"""
    )
    return broken


async def low_contrast(page: Page, minimum: float = 4.5) -> list[dict[str, Any]]:
    """Visible text whose contrast with what is behind it is under WCAG's AA (3:1 for large text,
    4.5:1 otherwise) or under `minimum`, whichever is higher."""
    found: list[dict[str, Any]] = await page.evaluate(_CONTRAST_JS, minimum)
    return found


async def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS_IMPACTS) -> list[str]:
    """axe-core's violations of these impacts (the copy bundled with axe-playwright-python, so
    nothing is fetched), as `rule (impact): help, N nodes` lines."""
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}, {len(v['nodes'])} nodes: "
        + "; ".join(n["html"][:80] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in impacts
    ]


@dataclass
class FocusStop:
    """Where one press of Tab put the focus, and whether it showed."""

    tag: str
    name: str
    href: str | None
    visible: bool
    focus_visible: bool


async def tab_order(page: Page, limit: int = 40) -> list[FocusStop]:
    """The focus stops Tab visits from the top of the page, in order, until it leaves the page or
    comes back to the first stop (at most `limit`)."""
    await page.locator("body").focus()
    stops: list[FocusStop] = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        facts: dict[str, Any] | None = await page.evaluate(_FOCUS_JS)
        if facts is None:
            break
        stop = FocusStop(facts["tag"], facts["name"], facts["href"], facts["visible"], facts["focusVisible"])
        if stops and stop == stops[0]:
            break
        stops.append(stop)
    return stops


@dataclass
class ScreenshotFacts:
    """What a screenshot shows, measured from its pixels."""

    width: int
    height: int
    colours: int

    @property
    def blank(self) -> bool:
        """One or two colours only: an empty or unstyled page, or nothing rendered at all."""
        return self.colours <= 2


async def screenshot(page: Page, path: str) -> ScreenshotFacts:
    """Saves what the viewport shows to `path` (a PNG) and measures it."""
    data = await page.screenshot(path=path)
    with Image.open(io.BytesIO(data)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        return ScreenshotFacts(image.width, image.height, len(colours) if colours else 1 << 16)


@dataclass
class PageErrors:
    """Console errors and uncaught exceptions of a page, CSP refusals included."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        """Records what `page` reports from now on."""
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)

    def _console(self, message: ConsoleMessage) -> None:
        # The browser asks for /favicon.ico by itself; a page that names no icon has not failed.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.seen.append(f"console: {message.text} ({message.location.get('url')})")

    def _uncaught(self, error: Error) -> None:
        self.seen.append(f"uncaught: {error.message}")


async def findings(page: Page, shot: str, *, contrast: float = 4.5) -> dict[str, list[Any]]:
    """Every page-wide check at once, and the screenshot saved to `shot`: what each found wrong,
    only the checks that found something (so a good page gives {})."""
    found: dict[str, list[Any]] = {
        "overflow": await horizontal_overflow(page),
        "contrast": await low_contrast(page, contrast),
        "axe": await axe_violations(page),
    }
    facts = await screenshot(page, shot)
    viewport = page.viewport_size or {}
    if facts.blank or (facts.width, facts.height) != (viewport.get("width"), viewport.get("height")):
        found["screenshot"] = [facts]
    return {check: wrong for check, wrong in found.items() if wrong}
