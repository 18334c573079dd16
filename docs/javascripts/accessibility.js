// Two accessibility fixes for elements Material creates with JavaScript, so no template can
// reach them (both found by axe-core in tests/test_browser.py):
// - each code block's button bar is a <nav> without a name; a page with several code blocks
//   then has many identical navigation landmarks (landmark-unique). A copy button is not
//   navigation, so the bar is presented as a plain group of buttons.
// - a table, a notebook cell, a code block in a notebook's Markdown (a script-only snippet and
//   its output), or a row of tab labels (the compatibility page names many releases) wider than
//   the screen scrolls inside its own box, which keyboard users can only scroll if the box can
//   take focus (scrollable-region-focusable).
(function () {
  "use strict";

  function fix() {
    document.querySelectorAll("nav.md-code__nav:not([role])").forEach((nav) => {
      nav.setAttribute("role", "none");
    });
    const boxes = [
      ".md-typeset__scrollwrap",
      ".highlight-ipynb",
      ".jp-RenderedMarkdown .highlight > pre",
      ".tabbed-labels",
    ].join(", ");
    document.querySelectorAll(boxes).forEach((box) => {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", fix);
  fix();
})();
