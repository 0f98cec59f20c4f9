// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Dropdowns are <details>: close them on Escape and on a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      d.removeAttribute("open");
      var summary = d.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // Toasts (HTMX error messages) fade away after a while; a click dismisses.
  function armToast(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    toast.addEventListener("click", function () { toast.remove(); });
    setTimeout(function () { toast.remove(); }, 8000);
  }
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-toast]").forEach(armToast);
  });
})();
