// A curl command pasted into the URL field becomes the request: the server reads it with the
// cURL importer (POST …/paste-curl/) and answers the editor for it (in a new request tab when
// the current one holds something). A command it cannot read is said, and the pasted text
// lands in the field as an ordinary paste would have put it.
(function () {
  "use strict";
  var CURL = /^\s*curl(?:\.exe)?\s/i;
  var pending = null;

  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input || input.id !== "url" || !event.clipboardData) return;
    var text = event.clipboardData.getData("text");
    var endpoint = document.getElementById("work") && document.getElementById("work").dataset.pasteCurl;
    if (!endpoint || !CURL.test(text)) return;
    event.preventDefault();
    pending = { input: input, text: text, start: input.selectionStart, end: input.selectionEnd };
    htmx.ajax("POST", endpoint, { source: input, target: "#editor", swap: "innerHTML", values: { curl: text } });
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (!pending || event.detail.elt !== pending.input) return;
    var input = pending.input, value = input.value;
    input.value = value.slice(0, pending.start) + pending.text + value.slice(pending.end);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    pending = null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (pending && event.detail.target && event.detail.target.id === "editor") pending = null;
  });
})();
