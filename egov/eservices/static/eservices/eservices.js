// Small enhancements of the online application pages; every page works without this script.
(function () {
  "use strict";
  // 1. Show a question only when the answer it depends on is chosen (data-show-if-* from
  //    procedures.forms). Without the script every question shows and the server ignores hidden ones.
  var dependants = document.querySelectorAll("[data-show-if-field]");
  function updateConditions() {
    dependants.forEach(function (input) {
      var name = input.getAttribute("data-show-if-field");
      if (!document.querySelector("[name='" + name + "']")) { return; } // answered on another page
      var chosen = document.querySelector("[name='" + name + "']:checked") || document.querySelector("select[name='" + name + "']");
      var box = input.closest(".field");
      if (box) { box.hidden = (chosen ? chosen.value : "") !== input.getAttribute("data-show-if-equals"); }
    });
  }
  if (dependants.length) {
    document.addEventListener("change", updateConditions);
    updateConditions();
  }
  // 2. Refuse a file over the limit before sending it (the server checks again, by content).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]") || !input.files.length) { return; }
    var tooLarge = input.files[0].size > Number(input.getAttribute("data-max-bytes"));
    input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
    if (tooLarge) { input.reportValidity(); }
  });
}());
