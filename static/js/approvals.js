// approvals (issue 17): the review panel needs no script of its own: its
// forms post plainly, and HTMX swaps the panel in place where it runs.
// After a swap, focus moves to the panel's heading so keyboard and screen
// reader users hear the new state.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail && event.detail.target;
    if (!panel || panel.id !== "review") return;
    var fresh = document.getElementById("review");
    var title = fresh && fresh.querySelector("#review-title");
    if (!title) return;
    title.setAttribute("tabindex", "-1");
    title.focus();
  });
})();
