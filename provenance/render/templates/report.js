(function () {
  "use strict";
  var box = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var families = Array.prototype.slice.call(document.querySelectorAll("section.family"));
  var independents = document.getElementById("independents");

  var onlyUncredited = document.getElementById("only-uncredited");

  // Every word of the query must occur in the article's key (headline, id, outlet, credits,
  // agencies' full names, bylines), so "Associated Press" finds copies credited to AP.
  function matches(el, words) {
    var key = el.getAttribute("data-filter");
    for (var i = 0; i < words.length; i += 1) {
      if (key.indexOf(words[i]) === -1) { return false; }
    }
    return true;
  }

  function apply() {
    var q = box.value.trim().toLowerCase();
    var words = q ? q.split(/\s+/) : [];
    var uncredited = onlyUncredited.checked;
    var active = !!q || uncredited;
    var shown = 0, total = 0;
    items.forEach(function (el) {
      var hit = matches(el, words) &&
        (!uncredited || el.getAttribute("data-credited") === "no");
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
      fam.hidden = active && !fam.querySelector(".item:not([hidden])");
    });
    if (independents) {
      var rows = independents.querySelectorAll("tr.item");
      independents.hidden = active && rows.length > 0 &&
        !independents.querySelector("tr.item:not([hidden])");
    }
    status.textContent = active ? shown + " of " + total + " articles match" : "";
  }

  function setAll(open) {
    document.querySelectorAll("details").forEach(function (d) { d.open = open; });
  }

  box.addEventListener("input", apply);
  onlyUncredited.addEventListener("change", apply);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { box.value = ""; apply(); }
  });
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });

  // A jump to a card: clear a filter that hides it, then scroll it to the top of the window.
  // Cards off screen are laid out only when they come into view (content-visibility), so
  // the page grows or shrinks while a smooth scroll runs and the first jump would land on
  // a stale offset.  The jump is made instantly and repeated each frame until the card
  // stays put; smooth scrolling is turned off only for that moment.
  var settling = 0;
  function reveal() {
    var target = document.getElementById(location.hash.slice(1));
    if (!target) { return; }
    if (target.closest("[hidden]")) {
      box.value = ""; onlyUncredited.checked = false; apply();
    }
    document.querySelectorAll(".current").forEach(function (el) { el.classList.remove("current"); });
    target.classList.add("current");
    if (target.hasAttribute("tabindex")) { target.focus({ preventScroll: true }); }
    var root = document.documentElement;
    var run = ++settling, last = null, still = 0, frames = 0;
    root.style.scrollBehavior = "auto";
    function step() {
      if (run !== settling) { return; }
      target.scrollIntoView({ block: "start", behavior: "instant" });
      var top = target.getBoundingClientRect().top;
      still = last !== null && Math.abs(top - last) < 1 ? still + 1 : 0;
      last = top;
      frames += 1;
      if (still < 3 && frames < 120) {
        requestAnimationFrame(step);
      } else {
        root.style.scrollBehavior = "";
      }
    }
    step();
  }
  window.addEventListener("hashchange", reveal);
  // In-page links jump without the browser's own (smooth) scroll, then settle as above.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a[href^='#']");
    if (!link || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) { return; }
    var hash = link.getAttribute("href");
    if (hash.length < 2 || !document.getElementById(hash.slice(1))) { return; }
    ev.preventDefault();
    document.documentElement.style.scrollBehavior = "auto";
    if (location.hash === hash) { reveal(); } else { location.hash = hash; }  // hashchange -> reveal
  });

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
