// What htmx would otherwise evaluate as JavaScript text (hx-vals="js:…", hx-trigger="…[cond]"),
// done here instead: the Content-Security-Policy allows no eval, and htmx runs with allowEval off.
//   data-dynamic-vals="open=openFolderIds current=currentRequestId"
//       adds parameters from webclient.<function>() to every request the element makes;
//   data-only-when="codePanelOpen"
//       cancels the element's requests while webclient.<function>() is false.
(function () {
  "use strict";

  function helper(name) {
    var fn = window.webclient && window.webclient[name];
    return typeof fn === "function" ? fn : null;
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    var spec = elt && elt.getAttribute && elt.getAttribute("data-dynamic-vals");
    if (!spec) return;
    spec.split(/\s+/).forEach(function (pair) {
      var parts = pair.split("=");
      var fn = parts.length === 2 ? helper(parts[1]) : null;
      if (fn) evt.detail.parameters[parts[0]] = fn();
    });
  });

  document.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    var name = elt && elt.getAttribute && elt.getAttribute("data-only-when");
    if (!name) return;
    var fn = helper(name);
    if (fn && !fn()) evt.preventDefault();
  });
})();
