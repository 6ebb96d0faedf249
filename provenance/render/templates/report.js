(function () {
  "use strict";
  var box = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var families = Array.prototype.slice.call(document.querySelectorAll("section.family"));
  var independents = document.getElementById("independents");

  function apply() {
    var q = box.value.trim().toLowerCase();
    var shown = 0, total = 0;
    items.forEach(function (el) {
      var hit = !q || el.getAttribute("data-filter").indexOf(q) !== -1;
      if (el instanceof SVGElement) {
        el.classList.toggle("dim", !hit);
        return;
      }
      el.hidden = !hit;
      if (el.classList.contains("item")) {
        total += 1;
        if (hit) { shown += 1; }
      }
    });
    families.forEach(function (fam) {
      fam.hidden = !!q && !fam.querySelector(".item:not([hidden])");
    });
    if (independents) {
      var rows = independents.querySelectorAll("tr.item");
      independents.hidden = !!q && rows.length > 0 &&
        !independents.querySelector("tr.item:not([hidden])");
    }
    status.textContent = q ? shown + " of " + total + " articles match" : "";
  }

  function setAll(open) {
    document.querySelectorAll("details").forEach(function (d) { d.open = open; });
  }

  box.addEventListener("input", apply);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { box.value = ""; apply(); }
  });
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });

  // A jump to a card hidden by the filter clears the filter first; the card gets focus.
  function reveal() {
    var target = document.getElementById(location.hash.slice(1));
    if (!target) { return; }
    if (target.closest("[hidden]")) { box.value = ""; apply(); }
    if (target.hasAttribute("tabindex")) { target.focus({ preventScroll: true }); }
    target.scrollIntoView({ block: "start" });
    // Cards off screen are laid out only when they come into view, so the
    // first jump can land a little off: settle once the page has laid out.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { target.scrollIntoView({ block: "start" }); });
    });
    setTimeout(function () { target.scrollIntoView({ block: "start" }); }, 150);
  }
  window.addEventListener("hashchange", reveal);

  // Printing shows every collapsed part, then restores what the reader had open.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
