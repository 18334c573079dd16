// Speed on long pages, while the page starts. docs/stylesheets/extra.css skips every block of
// text off screen (`content-visibility: auto`) until it carries `data-md-shown`, so that the
// restyles Material's script makes of the whole page as it starts visit only what is on screen
// (on the running-totals page 420 elements each instead of 1,640).
//
// Once the page has loaded, this script shows the blocks for good, a batch at a time, each batch
// styled and laid out in a short task of its own: the phone stays free to respond between
// batches, and the page ends as it would be without the skip, every block at its real size
// (what a reader who scrolls, searches or follows a link then finds, and what tools that
// measure the page, such as axe-core, see). When all are shown, <html> gets `data-md-shown`.
//
// BLOCKS must select what extra.css skips (tests/test_browser.py checks that no block is left
// skipped once the page has shown them).
(function () {
  "use strict";

  const BLOCKS = [
    ".md-content__inner > :not(h1, h2, h3, h4, h5, h6, .jupyter-wrapper)",
    ".jp-Notebook > .jp-CodeCell",
    ".jp-RenderedMarkdown > :not(h1, h2, h3, h4, h5, h6)",
  ].join(", ");
  // Elements per batch: about a millisecond of style and layout here, four on a phone.
  const BATCH = 200;

  function showFrom(blocks, start) {
    let index = start;
    let left = BATCH;
    while (index < blocks.length && left > 0) {
      const block = blocks[index++];
      left -= 1 + block.getElementsByTagName("*").length;
      block.setAttribute("data-md-shown", "");
    }
    // Style and lay out this batch now, in this task, rather than all batches in the next frame.
    void document.body.offsetHeight;
    if (index < blocks.length) {
      setTimeout(showFrom, 0, blocks, index);
    } else {
      document.documentElement.setAttribute("data-md-shown", "");
    }
  }

  function start() {
    setTimeout(showFrom, 0, [...document.querySelectorAll(BLOCKS)], 0);
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start, { once: true });
  }
})();
