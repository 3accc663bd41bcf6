/* The Tests tab: add and remove rows, operators that follow the type, the version after a save,
   and which history entry "Try against the last response" means. Loaded by the tab; runs once. */
(function () {
  "use strict";
  if (window.webclientRunner) return;
  window.webclientRunner = true;

  function operators() {
    var data = document.getElementById("tests-operators");
    return data ? JSON.parse(data.textContent) : {};
  }

  function operatorLabels() {
    var data = document.getElementById("tests-operator-labels");
    return data ? JSON.parse(data.textContent) : {};
  }

  document.addEventListener("change", function (event) {
    var type = event.target.closest && event.target.closest("[data-assertion-type]");
    if (!type) return;
    var select = type.closest("tr").querySelector("[data-assertion-op]");
    var ops = operators()[type.value] || [];
    var current = select.value;
    select.innerHTML = "";
    ops.forEach(function (op) {
      var option = document.createElement("option");
      option.value = op; option.textContent = operatorLabels()[op] || op; option.selected = op === current;
      select.appendChild(option);
    });
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-add-row]");
    if (add) {
      var kind = add.dataset.addRow;
      var template = document.getElementById(kind + "-row-template");
      var body = document.querySelector('tbody[data-rows="' + kind + '"]');
      if (template && body) {
        body.appendChild(template.content.cloneNode(true));
        var inputs = body.querySelectorAll("tr:last-child input[type=text], tr:last-child select");
        if (inputs.length) inputs[0].focus();
      }
      return;
    }
    var remove = event.target.closest && event.target.closest("[data-remove-row]");
    if (remove) { remove.closest("tr").remove(); return; }
    var tryButton = event.target.closest && event.target.closest("[data-tests-try]");
    if (tryButton) {
      // The response pane's entry when it shows one (its Download link names it), else the latest.
      var link = document.querySelector('#response a[href*="/history/"][download]');
      var match = link && /\/history\/(\d+)\//.exec(link.getAttribute("href"));
      var hidden = tryButton.parentElement.querySelector("[data-shown-entry]");
      if (hidden) hidden.value = match ? match[1] : "";
    }
  }, true);

  document.body.addEventListener("tests-saved", function (event) {
    var version = document.querySelector('#editor-head input[name="version"]');
    if (version && event.detail && event.detail.version) version.value = event.detail.version;
    var count = document.querySelector("#tab-tests .count");
    if (count && event.detail) count.textContent = event.detail.assertions || "";
  });
})();
