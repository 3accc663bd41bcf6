// Applied before first paint (loaded without defer in <head>) so a chosen theme never flashes
// the other one. A file rather than an inline script: the page's CSP allows no inline code.
(function () {
  "use strict";
  var theme = localStorage.getItem("webclient-theme");
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
})();
