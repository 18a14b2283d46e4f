"""The extension's boxes in a page, read and clicked the way a person and the
browser's devtools see them, closed shadow roots included.

The warning's shadow root is closed: the page's scripts, and Playwright's
locators, cannot see into it (docs/TESTING.md). The shipped extension
has no test switch to open it. These helpers use the DevTools protocol
instead: ``DOM.getDocument(pierce=true)`` lists closed roots, ``DOM.resolveNode``
gives a handle on one, and ``Runtime.callFunctionOn`` reads it. Clicks are
real mouse clicks at the button's place on screen, so they go through the
browser's hit testing (a page covering the banner would get them) and are
trusted events. Chromium only (Firefox reads the banner through the
extension's own messaging, see firefox_smoke.mjs).

Example:
    box = Box(page)                       # the warning; Box(page, "data-himaya-notice") for the notice
    box.wait()
    box.text()                            # what the box says, as rendered
    box.click("report")                   # the person presses "Signaler"
"""

from __future__ import annotations

import time

from e2e_servers import WAIT_MS


class Box:
    def __init__(self, page, attribute: str = "data-himaya-warning"):
        self.page = page
        self.attribute = attribute
        self.cdp = page.context.new_cdp_session(page)

    def _host(self):
        """The host node: a child of <html> carrying the attribute, with a shadow root; or None."""
        doc = self.cdp.send("DOM.getDocument", {"depth": 2, "pierce": True})
        html = next((n for n in doc["root"].get("children", []) if n.get("nodeName") == "HTML"), None)
        for child in (html or {}).get("children", []):
            attrs = child.get("attributes", [])
            names = attrs[0::2]
            if self.attribute in names and child.get("shadowRoots"):
                return child
        return None

    def mode(self) -> str | None:
        host = self._host()
        return host["shadowRoots"][0].get("shadowRootType") if host else None

    def attached(self) -> bool:
        return self._host() is not None

    def wait(self, timeout: float = WAIT_MS / 1000) -> "Box":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.attached():
                return self
            time.sleep(0.05)
        raise AssertionError(f"no box [{self.attribute}] with a shadow root within {timeout} s")

    def eval(self, function: str, *args):
        """Call `function` with `this` = the box's shadow root; returns its JSON value."""
        host = self._host()
        if host is None:
            raise AssertionError(f"no box [{self.attribute}]")
        root = host["shadowRoots"][0]
        handle = self.cdp.send("DOM.resolveNode", {"backendNodeId": root["backendNodeId"]})["object"]
        try:
            answer = self.cdp.send("Runtime.callFunctionOn", {
                "objectId": handle["objectId"], "functionDeclaration": function,
                "arguments": [{"value": a} for a in args], "returnByValue": True, "awaitPromise": True,
            })
        finally:
            self.cdp.send("Runtime.releaseObject", {"objectId": handle["objectId"]})
        if "exceptionDetails" in answer:
            raise AssertionError(answer["exceptionDetails"])
        return answer["result"].get("value")

    def text(self, selector: str = ".box") -> str:
        return self.eval("function (s) { const e = this.querySelector(s); return e ? e.innerText : null; }", selector)

    def attr(self, selector: str, name: str):
        return self.eval("function (s, n) { const e = this.querySelector(s); return e ? e.getAttribute(n) : null; }", selector, name)

    def host_attr(self, name: str):
        return self.eval("function (n) { return this.host.getAttribute(n); }", name)

    def wait_text(self, needle: str, selector: str = ".box", timeout: float = WAIT_MS / 1000) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            try:
                text = self.text(selector) or ""
            except AssertionError:
                text = ""
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not in {selector} within {timeout} s: {text!r}")

    def click(self, action: str) -> None:
        """A real mouse click in the middle of the button (data-action=<action>)."""
        rect = self.eval(
            "function (a) { const b = this.querySelector(`button[data-action=${a}]`); const r = b.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; }", action)
        self.page.mouse.click(rect[0], rect[1])
