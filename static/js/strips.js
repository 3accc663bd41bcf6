// Sideways-scrolling strips (the workspace pages' nav, the editor's and the sidebar's tab strips):
// on a phone they are wider than the screen. The current entry is scrolled into view (on load, when
// chosen, when the window's width changes) by scrolling the strip alone, and the strip fades out at
// an edge past which entries are hidden (app.css: .strip-more-before / .strip-more-after).
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});
  var STRIP = ".team-nav, .tabs";
  var CURRENT = '[aria-current="page"], [aria-selected="true"]';
  var FADE = 28;  // px: the fade's width, kept clear of the current entry

  function hints(strip) {
    var overflows = strip.scrollWidth > strip.clientWidth + 1;
    strip.classList.toggle("strip-more-before", overflows && strip.scrollLeft > 1);
    strip.classList.toggle("strip-more-after", overflows && strip.scrollLeft + strip.clientWidth < strip.scrollWidth - 1);
  }

  // `item` whole in view, clear of the fades where there is room, by scrolling `strip` alone
  // (scrollIntoView also scrolls the page itself sideways when it can). Also for tabs.js.
  function scrollIntoStrip(strip, item) {
    if (!item || strip.scrollWidth <= strip.clientWidth) return;
    var box = strip.getBoundingClientRect(), at = item.getBoundingClientRect();
    var left = at.left - box.left + strip.scrollLeft, right = left + at.width;
    // on a phone the strip may hold little more than the item: the fades share what is left
    var room = Math.max(0, Math.min(FADE, (strip.clientWidth - at.width) / 2));
    if (left - room < strip.scrollLeft || at.width > strip.clientWidth) strip.scrollLeft = Math.max(0, left - room);
    else if (right + room > strip.scrollLeft + strip.clientWidth) strip.scrollLeft = right + room - strip.clientWidth;
  }
  webclient.scrollIntoStrip = scrollIntoStrip;

  function reveal(strip) {
    scrollIntoStrip(strip, Array.prototype.filter.call(strip.querySelectorAll(CURRENT), function (el) { return el.parentElement === strip; })[0]);
    hints(strip);
  }

  function revealAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var strips = Array.prototype.slice.call(scope.querySelectorAll(STRIP));
    if (scope.matches && scope.matches(STRIP)) strips.push(scope);
    strips.forEach(function (strip) {
      reveal(strip);
      if (strip.dataset.stripWatched) return;
      strip.dataset.stripWatched = "1";
      strip.addEventListener("scroll", function () { hints(strip); }, { passive: true });
    });
  }

  document.addEventListener("click", function (event) {
    var strip = event.target.closest && event.target.closest(STRIP);
    if (strip) setTimeout(function () { reveal(strip); }, 0);  // after the tab is selected
  });
  document.addEventListener("keyup", function (event) {
    var strip = event.target.closest && event.target.closest(STRIP);
    if (strip) reveal(strip);  // arrows moved the selection (keyboard.js)
  });
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth !== lastWidth) revealAll(document);
    lastWidth = window.innerWidth;
  });
  document.addEventListener("htmx:load", function (event) { revealAll(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { revealAll(document); });
})();
