// Names and keyboard access that Material's markup lacks and no template block reaches,
// found by tests/site/test_accessibility.py (axe-core). Runs on every page Material
// shows, instant navigation included: document$ emits each new page.
(() => {
  "use strict";

  // Material's code blocks and the wrappers it puts round tables; each may scroll sideways.
  const SCROLLING = ".md-typeset__scrollwrap, .md-typeset pre > code";

  // Whatever scrolls must take keyboard focus, or a keyboard cannot scroll it (WCAG
  // 2.1.1). Material does this for code blocks on devices with a pointer that hovers;
  // this covers tables, and code blocks on the others. A table that no longer scrolls
  // leaves the tab order again; a code block is then left to Material.
  function focusIfScrolling(region) {
    const scrolls =
      region.scrollWidth > region.clientWidth || region.scrollHeight > region.clientHeight;
    if (scrolls) {
      region.tabIndex = 0;
    } else if (region.matches(".md-typeset__scrollwrap")) {
      region.removeAttribute("tabindex");
    }
  }

  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) focusIfScrolling(entry.target);
  });

  // The search is a dialog, named after its input ("Search" in the site's language).
  function nameSearch() {
    const dialog = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
    const input = dialog && dialog.querySelector(".md-search__input");
    const name = (input && input.getAttribute("aria-label")) || "Search";
    if (dialog) dialog.setAttribute("aria-label", name);
  }

  // Code annotations: Material's link to each note shows only an icon. Material adds them
  // after the page is shown, so they are named as they appear (and so is what follows).
  function nameAnnotations(root) {
    for (const link of root.querySelectorAll(".md-annotation__index:not([aria-label])")) {
      const number = link.querySelector("[data-md-annotation-id]");
      const id = number ? number.getAttribute("data-md-annotation-id") : "";
      link.setAttribute("aria-label", `Annotation ${id}`.trim());
    }
  }

  // The version selector, which Material adds once it has read versions.json. Its button
  // is named "Select version" only, which is not what it shows ("Django 6.1 latest"):
  // speech input users say what they see (WCAG 2.5.3). The alias, set apart by a margin
  // only, is read run together with the version ("6.1latest") unless a space parts them.
  function nameVersions(root) {
    for (const alias of root.querySelectorAll(".md-version__alias")) {
      const before = alias.previousSibling;
      if (before && before.nodeType === Node.TEXT_NODE && !/\s$/.test(before.data)) {
        alias.before(" ");
      }
    }
    const current = root.querySelector(".md-version__current:not([data-site-named])");
    if (current) {
      const shown = current.textContent.replace(/\s+/g, " ").trim();
      const purpose = current.getAttribute("aria-label") || "Select version";
      current.setAttribute("aria-label", `${shown}, ${purpose}`);
      current.setAttribute("data-site-named", "");
    }
  }

  function nameLateComers() {
    nameAnnotations(document);
    nameVersions(document);
  }

  new MutationObserver(nameLateComers).observe(document.body, {
    childList: true,
    subtree: true,
  });

  function onPage() {
    nameSearch();
    nameLateComers();
    resized.disconnect();
    for (const region of document.querySelectorAll(SCROLLING)) {
      focusIfScrolling(region);
      resized.observe(region);
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(onPage);
  } else {
    onPage();
  }
})();
