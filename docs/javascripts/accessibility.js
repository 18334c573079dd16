// Two accessibility fixes for elements Material creates with JavaScript, so no template can
// reach them (both found by axe-core in tests/test_browser.py):
// - each code block's button bar is a <nav> without a name; a page with several code blocks
//   then has many identical navigation landmarks (landmark-unique). A copy button is not
//   navigation, so the bar is presented as a plain group of buttons.
// - a code block, a table, a notebook cell, a code block in a notebook's Markdown (a script-only
//   snippet and its output), or a row of tab labels (the compatibility page names many releases)
//   wider than the screen scrolls inside its own box, which keyboard users can only scroll if the
//   box can take focus (scrollable-region-focusable). Material makes a code block focusable
//   only once it has set the block up, and with `content.lazy` it sets up only the blocks a
//   reader has scrolled to, so the blocks further down are made focusable here.
//
// Speed: nothing here reads layout while the page is being built. Reading a box's scrollWidth
// right after the DOM changed makes the browser lay out the whole page there and then (a long
// page has thousands of elements), so widths are read in a ResizeObserver's callback, which runs
// once layout is done anyway, and only for the boxes whose size changed. A code block off screen
// is not laid out at all (`content-visibility: auto`, tools/code_heights.py), so it is measured
// when it comes near the screen, not before.
(function () {
  "use strict";

  const BOXES = [
    ".md-typeset pre > code",
    ".md-typeset__scrollwrap",
    ".jupyter-wrapper pre",
    ".tabbed-labels",
  ].join(", ");

  function check(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("tabindex");
    }
  }

  const sizes = new ResizeObserver((entries) => entries.forEach((entry) => check(entry.target)));
  // A code block the browser may skip (`content-visibility: auto`) is measured only while it is
  // near the screen: reading the width of a skipped block makes the browser lay it out. Until
  // then it can take focus, so Tab never passes over one that scrolls.
  const near = new IntersectionObserver(
    (entries) => {
      for (const { target, isIntersecting } of entries) {
        if (isIntersecting) {
          sizes.observe(target); // its first callback checks it
        } else {
          sizes.unobserve(target);
        }
      }
    },
    { rootMargin: "50%" },
  );
  const MARKED = '[style*="--md-lines"]';
  const watched = new WeakSet();

  function fix() {
    document.querySelectorAll("nav.md-code__nav:not([role])").forEach((nav) => {
      nav.setAttribute("role", "none");
    });
    document.querySelectorAll(BOXES).forEach((box) => {
      if (watched.has(box)) {
        return;
      }
      watched.add(box);
      if (box.matches(MARKED)) {
        box.setAttribute("tabindex", "0");
        near.observe(box);
      } else {
        sizes.observe(box);
      }
    });
  }

  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  fix();
})();
