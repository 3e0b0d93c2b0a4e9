/* Placement picker: where the signer's signature, the number and the date go on an uploaded PDF.

   Each [data-placement-picker] section (documents/_placement_picker.html) has page previews and a
   form with, per part, the page and the centre of its box in millimetres from the page's left and
   top edges. This script draws a box per part over the previews (sized as the field will be), and
   a click on a page moves the part chosen in "Đặt vị trí cho" there by filling those inputs; typing
   in the inputs moves the boxes too. Saving is the form's ordinary POST. */
(function () {
  "use strict";

  function setUp(section) {
    var boxes = JSON.parse(section.dataset.boxesMm || "{}");
    var form = section.querySelector("form");
    var pages = {};
    Array.prototype.forEach.call(section.querySelectorAll("[data-placement-page]"), function (figure) {
      pages[figure.dataset.placementPage] = figure;
    });
    var parts = Array.prototype.map.call(section.querySelectorAll("[data-placement-part]"), function (fieldset) {
      return fieldset.dataset.placementPart;
    });
    var markers = {};

    function input(part, name) { return form.elements[part + "_" + name]; }

    function number(value) { return parseFloat(String(value).replace(",", ".")); }

    function draw(part) {
      var figure = pages[input(part, "page").value];
      var marker = markers[part];
      var left = number(input(part, "left").value);
      var top = number(input(part, "top").value);
      if (!figure || isNaN(left) || isNaN(top)) { marker.hidden = true; return; }
      var width = number(figure.dataset.widthMm);
      var height = number(figure.dataset.heightMm);
      var size = boxes[part] || [40, 10];
      figure.querySelector(".placement-sheet").appendChild(marker);
      marker.hidden = false;
      marker.style.left = ((left - size[0] / 2) / width * 100) + "%";
      marker.style.top = ((top - size[1] / 2) / height * 100) + "%";
      marker.style.width = (size[0] / width * 100) + "%";
      marker.style.height = (size[1] / height * 100) + "%";
    }

    parts.forEach(function (part) {
      var marker = document.createElement("span");
      marker.className = "placement-marker placement-marker-" + part;
      marker.setAttribute("aria-hidden", "true");  // the inputs say the same to screen readers
      marker.textContent = section.querySelector("[data-placement-part='" + part + "']").dataset.partLabel;
      markers[part] = marker;
      ["page", "left", "top"].forEach(function (name) {
        input(part, name).addEventListener("input", function () { draw(part); });
      });
      draw(part);
    });

    function activePart() {
      var checked = section.querySelector("input[name=placement-mode]:checked");
      return checked ? checked.value : parts[0];
    }

    Object.keys(pages).forEach(function (pageNumber) {
      var figure = pages[pageNumber];
      var image = figure.querySelector("img");
      image.addEventListener("click", function (event) {
        var rect = image.getBoundingClientRect();
        var part = activePart();
        var left = (event.clientX - rect.left) / rect.width * number(figure.dataset.widthMm);
        var top = (event.clientY - rect.top) / rect.height * number(figure.dataset.heightMm);
        input(part, "page").value = pageNumber;
        input(part, "left").value = left.toFixed(1);
        input(part, "top").value = top.toFixed(1);
        draw(part);
      });
    });

    section.querySelector("[data-placement-modes]").hidden = false;
    section.querySelector("[data-placement-help]").hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-placement-picker]"), setUp);
})();
