// bulk: the toolbar for selected posts. Counts the selection, selects a
// range with shift-click, selects every post shown, and shows the days
// field only for "Move by days". Does nothing on pages without the toolbar.
(function () {
  "use strict";
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][name="post"][form="bulk-posts"]'));
  }
  function setUp() {
    var bar = document.getElementById("bulk-posts");
    if (!bar || bar.dataset.bulkReady) return;
    bar.dataset.bulkReady = "1";
    var count = bar.querySelector("[data-bulk-count]");
    var all = bar.querySelector("[data-bulk-all]");
    var none = bar.querySelector("[data-bulk-none]");
    var action = bar.querySelector("#bulk-action");
    var days = bar.querySelector('[data-bulk-for="move"]');
    var last = null;

    function refresh() {
      var list = boxes();
      var chosen = list.filter(function (b) { return b.checked; }).length;
      count.textContent = chosen === 0 ? "No posts selected" : chosen + (chosen === 1 ? " post selected" : " posts selected");
      all.hidden = list.length === 0 || chosen === list.length;
      none.hidden = chosen === 0;
      bar.classList.toggle("has-selection", chosen > 0);
    }
    function showFields() {
      if (days) days.hidden = action.value !== "move";
    }

    document.addEventListener("click", function (event) {
      var box = event.target;
      if (!(box instanceof HTMLInputElement) || box.name !== "post" || box.getAttribute("form") !== "bulk-posts") return;
      var list = boxes();
      if (event.shiftKey && last && list.indexOf(last) !== -1) {
        var from = list.indexOf(last), to = list.indexOf(box);
        var lo = Math.min(from, to), hi = Math.max(from, to);
        for (var i = lo; i <= hi; i++) list[i].checked = box.checked;
      }
      last = box;
      refresh();
    });
    document.addEventListener("change", function (event) {
      if (event.target instanceof HTMLInputElement && event.target.name === "post") refresh();
    });
    all.addEventListener("click", function () {
      boxes().forEach(function (b) { b.checked = true; });
      refresh();
    });
    none.addEventListener("click", function () {
      boxes().forEach(function (b) { b.checked = false; });
      refresh();
    });
    action.addEventListener("change", showFields);
    bar.addEventListener("submit", function (event) {
      if (boxes().some(function (b) { return b.checked; })) return;
      event.preventDefault();
      count.textContent = "Select one or more posts first";
    });
    showFields();
    refresh();
  }
  document.addEventListener("DOMContentLoaded", setUp);
  // The month and list views may be swapped in by HTMX.
  document.addEventListener("htmx:afterSettle", function () { setUp(); });
})();
