// History's "Save…": the entry opens in the editor (as a click on it does), then the Save as
// dialog opens on it, so saving goes through the one Save as path.
(function () {
  "use strict";
  var pending = false;
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-save-history]")) pending = true;
  }, true);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!pending || !event.detail.target || event.detail.target.id !== "editor") return;
    pending = false;
    var saveAs = document.getElementById("save-as-button");
    if (saveAs) saveAs.click();
  });
})();
