// The Pretty view of a large JSON body loads a folded part when it is first opened, and the next
// page of a long list on "Show the next …" (requests_app/templatetags/lazy_json.py renders them).
// A document-level listener, so a part works the moment it is in the page.
(function () {
  "use strict";

  function load(url, target, swap) {
    if (window.htmx) htmx.ajax("GET", url, { target: target, swap: swap });
  }

  // "toggle" does not bubble: listen in the capture phase
  document.addEventListener("toggle", function (event) {
    var part = event.target;
    if (!part.matches || !part.matches("details.j-lazy[data-part-url]") || !part.open || part.dataset.loaded) return;
    part.dataset.loaded = "1";
    load(part.dataset.partUrl, part.querySelector(".j-body"), "innerHTML");
  }, true);

  document.addEventListener("click", function (event) {
    var more = event.target.closest && event.target.closest("button.j-more[data-part-url]");
    if (!more || more.disabled) return;
    more.disabled = true;
    load(more.dataset.partUrl, more, "outerHTML");
  });
})();
